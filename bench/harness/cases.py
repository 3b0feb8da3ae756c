# bench harness: the workloads (W1, W2, W3) as commands, with what each needs prepared.
import dataclasses
import os
import subprocess
import sys
from typing import Callable

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclasses.dataclass
class Case:
    name: str
    description: str
    # cmd(scale) -> argv of the workload.
    cmd: Callable[[float], list]
    # The figures the targets are judged against ("w1w2" or "w3").
    target_group: str = "w1w2"


def python_for_workloads():
    # The distribution's interpreter, not a version-manager shim that would add a shell script
    # and extra processes to every run.
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def sql_script(work_dir, scale):
    """Generates the W3 SQL once per scale; the workload only reads it."""
    path = os.path.join(work_dir, f"w3_sqlite.{scale:g}.sql")
    if not os.path.exists(path):
        with open(path + ".tmp", "w") as out:
            subprocess.run([sys.executable, os.path.join(BENCH_DIR, "w3_sql.py"),
                            "--scale", f"{scale:g}"], stdout=out, check=True)
        os.replace(path + ".tmp", path)
    return path


def all_cases(bin_dir, work_dir):
    python = python_for_workloads()
    return [
        Case("W1", "1 thread, 10 M malloc/free pairs of 16-512 B at ~20 frames, 10 k live",
             lambda s: [os.path.join(bin_dir, "bench_w1"), "--scale", f"{s:g}"]),
        Case("W2", "8 threads x 2 M allocations: strings, vector growth, objects freed "
                   "by another thread",
             lambda s: [os.path.join(bin_dir, "bench_w2"), "--scale", f"{s:g}"]),
        Case("W3-sqlite", "sqlite3 shell: 120 k inserts in a transaction, an index, "
                          "aggregates, update, delete (in-memory database)",
             lambda s: ["sqlite3", ":memory:", ".read " + sql_script(work_dir, s)],
             target_group="w3"),
        Case("W3-python", "python3: dicts, lists, strings, json dumps/loads",
             lambda s: [python, os.path.join(BENCH_DIR, "w3_python.py"), "--scale", f"{s:g}"],
             target_group="w3"),
    ]
