# bench harness: how each way of running a workload wraps its command (native, heapscope,
# heaptrack, valgrind memcheck), where its trace goes, and how many allocations a trace holds.
import json
import os
import re
import subprocess


class Tool:
    """Runs a workload under nothing or under a profiler; traces land in trace_dir."""

    name = ""
    # The names a trace of this tool can have after its stem, the first existing one wins.
    trace_suffixes = ()

    def __init__(self, trace_dir):
        self.trace_dir = trace_dir

    def trace_stem(self, tag):
        return os.path.join(self.trace_dir, f"{tag}.{self.name}")

    def trace_path(self, tag):
        """The trace the last run of `tag` wrote, or None."""
        for suffix in self.trace_suffixes:
            if os.path.exists(self.trace_stem(tag) + suffix):
                return self.trace_stem(tag) + suffix
        return None

    def clear(self, tag):
        for suffix in self.trace_suffixes:
            if os.path.exists(self.trace_stem(tag) + suffix):
                os.remove(self.trace_stem(tag) + suffix)

    def wrap(self, cmd, tag):
        return cmd


class Native(Tool):
    name = "native"


class Heapscope(Tool):
    name = "heapscope"
    trace_suffixes = (".hst",)

    def __init__(self, trace_dir, cli):
        super().__init__(trace_dir)
        self.cli = cli

    def wrap(self, cmd, tag):
        return [self.cli, "run", "--quiet", "-o", self.trace_stem(tag) + ".hst", "--", *cmd]

    def summary_json(self, trace):
        out = subprocess.run([self.cli, "summary", "--json", trace], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    def allocations(self, trace):
        return self.summary_json(trace)["allocations"]

    def events(self, trace):
        """Allocations plus frees: what the analysis has to replay."""
        summary = self.summary_json(trace)
        return summary["allocations"] + summary["frees"]

    def analysis_cmd(self, trace):
        return [self.cli, "summary", trace]


class HeapscopeNoFreeStacks(Heapscope):
    """heapscope without the stack of every free (`--free-stacks no`): what the double-free
    reports' "freed at" stacks cost."""

    name = "heapscope-no-free-stacks"

    def wrap(self, cmd, tag):
        wrapped = super().wrap(cmd, tag)
        return wrapped[:2] + ["--free-stacks", "no"] + wrapped[2:]


class HeapscopeSampled(Heapscope):
    """heapscope sampling allocations by bytes (`--sample-rate 512K`), the production setting:
    only the sampled blocks are unwound and written."""

    name = "heapscope-sampled"
    rate = "512K"

    def wrap(self, cmd, tag):
        wrapped = super().wrap(cmd, tag)
        return wrapped[:2] + ["--sample-rate", self.rate] + wrapped[2:]


class Heaptrack(Tool):
    """heaptrack as users run it: its interpreter runs during recording (that is part of its
    recording cost); its analysis, heaptrack_print, is measured separately."""

    name = "heaptrack"
    # heaptrack compresses with zstd when it is installed, else with gzip.
    trace_suffixes = (".zst", ".gz")

    def wrap(self, cmd, tag):
        return ["heaptrack", "-o", self.trace_stem(tag), *cmd]

    def allocations(self, trace):
        out = subprocess.run(["heaptrack_print", trace], check=True, capture_output=True,
                             text=True).stdout
        match = re.search(r"^calls to allocation functions: (\d+)", out, re.MULTILINE)
        if not match:
            raise RuntimeError(f"heaptrack_print gave no allocation count for {trace}")
        return int(match.group(1))

    def analysis_cmd(self, trace):
        return ["heaptrack_print", trace]


class Valgrind(Tool):
    name = "valgrind"

    def wrap(self, cmd, tag):
        return ["valgrind", "--tool=memcheck", "--leak-check=full", *cmd]


def version_of(cmd):
    """First line of `cmd`'s version output, or a note that it is missing."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"
