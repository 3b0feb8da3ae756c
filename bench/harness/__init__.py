# bench harness: the pieces of bench/run.py (measurement, tools, cases, report).
