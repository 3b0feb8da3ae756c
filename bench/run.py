#!/usr/bin/env python3
# bench: the one command that builds the workloads, runs them natively and under heapscope,
# heaptrack and valgrind memcheck, times both analysers, and writes bench/out/results.md.
"""Overhead, trace-size and analysis benchmark of heapscope against native, heaptrack, valgrind.

Example (the full benchmark):  python3 bench/run.py --build build-bench --runs 5 --out bench/out
Quick smoke run:                python3 bench/run.py --scale 0.1 --runs 1 --analysis-factors 1,2
"""
import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys

# Keep the source tree free of __pycache__ folders.
sys.dont_write_bytecode = True
from harness import cases as cases_mod  # noqa: E402
from harness import measure, report, tools  # noqa: E402

REPO_DIR = os.path.dirname(cases_mod.BENCH_DIR)
WORKLOAD_TARGETS = ["bench_w1", "bench_w2"]
HEAPSCOPE_TARGETS = ["heapscope_cli", "heapscope_preload"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-bench",
                        help="CMake build directory (configured with -DHEAPSCOPE_BENCH=ON)")
    parser.add_argument("--out", default=os.path.join(cases_mod.BENCH_DIR, "out"),
                        help="where traces, logs, results.md and results.json go")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--valgrind-runs", type=int, default=1,
                        help="runs under valgrind, which is 20-50x slower (at most --runs)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="workload size factor; 1 is the full benchmark")
    parser.add_argument("--cases", default="W1,W2,W3-sqlite,W3-python")
    parser.add_argument("--tools", default="native,heapscope,heaptrack,valgrind")
    parser.add_argument("--skip-valgrind", default="",
                        help="cases not to run under valgrind, e.g. W2 (the reason is printed)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run")
    parser.add_argument("--valgrind-timeout", type=float, default=300,
                        help="seconds per valgrind run; a case that exceeds it is not rerun")
    parser.add_argument("--analysis-factors", default="1,2,4",
                        help="W1 trace lengths (x --scale) for the analysis comparison; "
                             "empty: skip the analysis comparison")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    args = parser.parse_args(argv)
    args.valgrind_runs = min(args.valgrind_runs, args.runs)
    return args


def build(build_dir, log_dir):
    """Builds the workloads (required) and heapscope (optional: returns why it is missing)."""
    build_log = os.path.join(log_dir, "build.log")

    def step(cmd):
        with open(build_log, "a") as out:
            return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode == 0

    if os.path.exists(build_log):
        os.remove(build_log)
    configured = step(["cmake", "-S", REPO_DIR, "-B", build_dir, "-G", "Ninja",
                       "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DHEAPSCOPE_BENCH=ON"])
    if not configured or not step(["ninja", "-C", build_dir, *WORKLOAD_TARGETS]):
        sys.exit(f"building the workloads failed; see {build_log}")
    if not step(["ninja", "-C", build_dir, *HEAPSCOPE_TARGETS]):
        return f"heapscope did not build; see {build_log}"
    return None


def make_tools(args, heapscope_problem, trace_dir):
    wanted = args.tools.split(",")
    chosen = []
    for name in wanted:
        if name == "native":
            chosen.append(tools.Native(trace_dir))
        elif name in ("heapscope", "heapscope-sampled", "heapscope-no-free-stacks"):
            cli = os.path.join(args.build, "bin", "heapscope")
            problem = heapscope_problem or (None if os.access(cli, os.X_OK) else f"no {cli}")
            if problem:
                log(f"skipping {name}: {problem}")
            elif name == "heapscope":
                chosen.append(tools.Heapscope(trace_dir, cli))
            elif name == "heapscope-sampled":
                chosen.append(tools.HeapscopeSampled(trace_dir, cli))
            else:
                chosen.append(tools.HeapscopeNoFreeStacks(trace_dir, cli))
        elif name in ("heaptrack", "valgrind"):
            if shutil.which(name):
                chosen.append(tools.Heaptrack(trace_dir) if name == "heaptrack"
                              else tools.Valgrind(trace_dir))
            else:
                log(f"skipping {name}: not installed")
        else:
            sys.exit(f"unknown tool {name!r}")
    if not chosen or chosen[0].name != "native":
        sys.exit("--tools must start with native: slowdowns are relative to it")
    return chosen


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(args):
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    compiler = "unknown"
    cache = os.path.join(args.build, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as lines:
            for line in lines:
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    compiler = tools.version_of([line.split("=", 1)[1].strip(), "--version"])
    commit = tools.version_of(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"])
    dirty = tools.version_of(["git", "-C", REPO_DIR, "status", "--porcelain"])
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": os.uname().release,
        "load_average_at_start": load_average(),
        "heapscope_commit": commit + (" (with uncommitted changes)"
                                      if dirty not in ("", "unknown") else ""),
        "compiler": compiler,
        "heaptrack": tools.version_of(["heaptrack", "--version"]),
        "valgrind": tools.version_of(["valgrind", "--version"]),
        "sqlite3": tools.version_of(["sqlite3", "--version"]).split(" ")[0],
        "python3 (workload)": tools.version_of([cases_mod.python_for_workloads(), "--version"]),
    }


def fmt_sample(sample):
    state = "timeout" if sample.timed_out else f"rc={sample.returncode}"
    return f"{sample.wall_s:8.2f} s {sample.max_rss_kib / 1024:8.1f} MiB  {state}"


def run_overhead(args, case, tool_list, log_dir):
    """Runs one case under every tool, interleaved so that machine noise spreads evenly."""
    samples = {tool.name: [] for tool in tool_list}
    skipped = {}
    if "valgrind" in samples and case.name in args.skip_valgrind.split(","):
        skipped["valgrind"] = "--skip-valgrind"
    cmd = case.cmd(args.scale)
    for run in range(args.runs):
        for tool in tool_list:
            is_valgrind = tool.name == "valgrind"
            if tool.name in skipped or (is_valgrind and run >= args.valgrind_runs):
                continue
            tool.clear(case.name)
            log_path = os.path.join(log_dir, f"{case.name}.{tool.name}.log")
            sample = measure.run_once(tool.wrap(cmd, case.name), log_path,
                                      args.valgrind_timeout if is_valgrind else args.timeout)
            samples[tool.name].append(sample)
            log(f"  {case.name:10} {tool.name:10} run {run + 1}: {fmt_sample(sample)}")
            if is_valgrind and sample.timed_out:
                skipped["valgrind"] = (f"a run took more than {args.valgrind_timeout:g} s "
                                       "(--valgrind-timeout)")
            elif not sample.ok:
                log(f"    failed; see {log_path}")
    for name, reason in skipped.items():
        log(f"  {case.name}: valgrind {reason}")
    result = {}
    for name, tool_samples in samples.items():
        entry = {"skipped": skipped.get(name)}
        if tool_samples:
            entry.update(vars(measure.summarize(tool_samples)))
        result[name] = entry
    return result


def trace_sizes(case, tool_list):
    """Bytes per allocation of the trace the last run of the case left, for each profiler."""
    sizes = {}
    for tool in tool_list:
        if not hasattr(tool, "allocations"):
            continue
        trace = tool.trace_path(case.name)
        if not trace:
            continue
        try:
            sizes[tool.name] = {"bytes": os.path.getsize(trace),
                                "allocations": tool.allocations(trace)}
        except (subprocess.CalledProcessError, RuntimeError, KeyError, ValueError) as error:
            log(f"  {case.name}: cannot count allocations in {trace}: {error}")
    return sizes


def count_events(profilers, traces):
    """Allocations + frees of a W1 trace, and who counted them."""
    try:
        if traces.get("heapscope"):
            return profilers["heapscope"].events(traces["heapscope"]), "heapscope summary"
        if traces.get("heaptrack"):
            # W1 frees every block it allocates: its events are twice its allocations.
            return (2 * profilers["heaptrack"].allocations(traces["heaptrack"]),
                    "2 x heaptrack allocations")
    except (subprocess.CalledProcessError, RuntimeError, KeyError, ValueError) as error:
        log(f"  cannot count the events of {traces}: {error}")
    return None, None


def run_analysis(args, w1, profilers, log_dir, w1_recorded):
    """Times `heapscope summary` and `heaptrack_print` on W1 traces of growing length; the
    overhead runs' W1 traces serve as length 1 when this invocation made them."""
    rows = []
    for factor in [int(f) for f in args.analysis_factors.split(",") if f]:
        tag = "W1" if factor == 1 else f"W1x{factor}"
        for tool in profilers.values():
            if not (factor == 1 and w1_recorded and tool.trace_path(tag)):
                log(f"  recording {tag} under {tool.name}")
                tool.clear(tag)
                measure.run_once(tool.wrap(w1.cmd(args.scale * factor), tag),
                                 os.path.join(log_dir, f"{tag}.{tool.name}.record.log"),
                                 args.timeout)
        traces = {name: tool.trace_path(tag) for name, tool in profilers.items()}
        events, events_source = count_events(profilers, traces)
        for name, tool in profilers.items():
            if not traces[name]:
                log(f"  analysis {tag}: no {name} trace; see its record log")
                continue
            samples = []
            for run in range(args.runs):
                sample = measure.run_once(tool.analysis_cmd(traces[name]),
                                          os.path.join(log_dir, f"{tag}.{name}.analysis.log"),
                                          args.timeout)
                samples.append(sample)
                log(f"  analysis {tag:6} {name:10} run {run + 1}: {fmt_sample(sample)}")
            rows.append({"factor": factor, "tool": name,
                         "trace_bytes": os.path.getsize(traces[name]),
                         "events": events, "events_source": events_source,
                         **vars(measure.summarize(samples))})
    return rows


def main(argv):
    args = parse_args(argv)
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__), *argv])
    args.build = os.path.abspath(args.build)
    trace_dir = os.path.join(args.out, "traces")
    log_dir = os.path.join(args.out, "logs")
    os.makedirs(trace_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)

    heapscope_problem = None
    if not args.no_build:
        log(f"building in {args.build}")
        heapscope_problem = build(args.build, log_dir)
    tool_list = make_tools(args, heapscope_problem, trace_dir)
    all_cases = cases_mod.all_cases(os.path.join(args.build, "bin"), args.out)
    by_name = {case.name: case for case in all_cases}
    selected = [by_name[name] for name in args.cases.split(",")]

    results = {"command": command, "scale": args.scale, "runs": args.runs,
               "valgrind_runs": args.valgrind_runs, "machine": machine_info(args),
               "cases": {c.name: {"description": c.description, "group": c.target_group}
                         for c in selected},
               "overhead": {}, "trace_size": {}, "analysis": []}
    for case in selected:
        log(f"{case.name}: {case.description}")
        results["overhead"][case.name] = run_overhead(args, case, tool_list, log_dir)
        results["trace_size"][case.name] = trace_sizes(case, tool_list)
    profilers = {t.name: t for t in tool_list if t.name in ("heapscope", "heaptrack")}
    if args.analysis_factors and profilers:
        log("analysis of W1 traces")
        results["analysis"] = run_analysis(args, by_name["W1"], profilers, log_dir,
                                           by_name["W1"] in selected)

    # With the load at start, this tells a quiet machine from a busy one.
    results["machine"]["load_average_at_end"] = load_average()
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump(results, out, indent=1)
    markdown = report.render(results)
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(markdown)
    print(markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
