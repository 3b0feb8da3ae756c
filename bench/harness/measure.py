# bench harness: runs one command and measures it: wall time, peak RSS of the process tree the
# child waited for, exit status. Needs GNU time (/usr/bin/time, Debian package `time`).
import dataclasses
import os
import signal
import statistics
import subprocess
import threading
import time

GNU_TIME = "/usr/bin/time"


@dataclasses.dataclass
class Sample:
    wall_s: float
    max_rss_kib: int
    returncode: int
    timed_out: bool = False

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out


def run_once(cmd, log_path, timeout_s):
    """Runs cmd with stdout discarded and stderr kept in log_path.

    The peak RSS comes from GNU time, not from our own wait4: Linux carries a process's peak RSS
    across exec, so a child forked from this Python process would start at Python's size. GNU
    time's %M covers the command and the descendants it reaped (heaptrack's interpreter).
    """
    rss_path = log_path + ".rss"
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", rss_path, *cmd],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=log, start_new_session=True)
        expired = threading.Event()

        def kill_group():
            expired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout_s, kill_group)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    return Sample(wall, read_rss_kib(rss_path), proc.returncode, expired.is_set())


def read_rss_kib(rss_path):
    """GNU time's last line is %M; before it, a note when the command failed. 0 if killed."""
    try:
        with open(rss_path) as lines:
            return int(lines.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


@dataclasses.dataclass
class Summary:
    """The median of several samples; None values when no run succeeded."""
    runs: int
    wall_s: float | None
    max_rss_kib: int | None
    failure: str | None = None


def summarize(samples):
    good = [s for s in samples if s.ok]
    if not good:
        last = samples[-1]
        reason = "timeout" if last.timed_out else f"exit status {last.returncode}"
        return Summary(len(samples), None, None, reason)
    return Summary(len(good), statistics.median(s.wall_s for s in good),
                   int(statistics.median(s.max_rss_kib for s in good)))
