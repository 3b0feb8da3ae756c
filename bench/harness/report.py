# bench harness: turns the measurements (the results.json dictionary) into results.md: recording
# overhead, trace size, analysis speed and memory, and each target met or missed.
TOOL_ORDER = ["native", "heapscope", "heapscope-sampled", "heapscope-no-free-stacks", "heaptrack",
              "valgrind"]
TOOL_LABELS = {"native": "native", "heapscope": "heapscope",
               "heapscope-sampled": "heapscope --sample-rate 512K",
               "heapscope-no-free-stacks": "heapscope --free-stacks no",
               "heaptrack": "heaptrack", "valgrind": "valgrind memcheck"}
ANALYSER_LABELS = {"heapscope": "heapscope summary", "heaptrack": "heaptrack_print"}

# The targets of the benchmark issue.
MAX_SLOWDOWN_SHARE_OF_HEAPTRACK = 1 / 3
MAX_W3_SLOWDOWN = 1.3
MIN_ANALYSIS_SPEEDUP = 5.0
MAX_W3_SAMPLED_SLOWDOWN = 1.05  # sampling at 512 KiB: under 5% on W3
# "Does not grow with the trace's length": the longest trace may cost at most this much more
# analysis memory than the shortest (allocator and page-cache noise).
MAX_ANALYSIS_RSS_GROWTH = 1.25


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def tools_present(overhead):
    seen = {tool for per_case in overhead.values() for tool in per_case}
    return [tool for tool in TOOL_ORDER if tool in seen]


def slowdown(overhead, case, tool):
    native = overhead[case].get("native", {}).get("wall_s")
    wall = overhead[case].get(tool, {}).get("wall_s")
    return wall / native if native and wall else None


def overhead_cell(entry, native, key, show):
    if entry is None:
        return "not run"
    if entry.get("skipped") and entry.get(key) is None:
        return "skipped: " + entry["skipped"]
    if entry.get(key) is None:
        return "failed: " + (entry.get("failure") or "no run")
    value = entry[key]
    ratio = f" ({value / native:.2f}×)" if native else ""
    return show(value) + ratio


def overhead_tables(results):
    overhead = results["overhead"]
    present = tools_present(overhead)
    header = ["case"] + [TOOL_LABELS[t] for t in present]
    walls, rss = [], []
    for case, per_tool in overhead.items():
        native = per_tool.get("native", {})
        walls.append([case] + [overhead_cell(per_tool.get(t), native.get("wall_s"), "wall_s",
                                             lambda v: f"{v:.2f} s") for t in present])
        rss.append([case] + [overhead_cell(per_tool.get(t), native.get("max_rss_kib"),
                                           "max_rss_kib", mib) for t in present])
    return (f"## Recording: wall time (slowdown vs native)\n\n{table(header, walls)}\n\n"
            f"## Recording: peak RSS of the process tree (ratio vs native)\n\n"
            f"{table(header, rss)}\n")


def bytes_per_allocation(entry):
    return entry["bytes"] / entry["allocations"] if entry and entry["allocations"] else None


def trace_size_table(results):
    rows = []
    for case, per_tool in results["trace_size"].items():
        row = [case]
        for tool in ("heapscope", "heaptrack"):
            entry = per_tool.get(tool)
            per_alloc = bytes_per_allocation(entry)
            row += ([f"{entry['bytes']:,}", f"{entry['allocations']:,}", f"{per_alloc:.2f}"]
                    if per_alloc is not None else ["-", "-", "-"])
        ours = bytes_per_allocation(per_tool.get("heapscope"))
        theirs = bytes_per_allocation(per_tool.get("heaptrack"))
        row.append(f"{ours / theirs:.2f}" if ours and theirs else "-")
        rows.append(row)
    header = ["case", "heapscope bytes", "allocations", "B/alloc", "heaptrack bytes",
              "allocations", "B/alloc", "heapscope / heaptrack"]
    return f"## Trace size per allocation\n\n{table(header, rows)}\n"


def analysis_table(results):
    rows = []
    sources = set()
    for row in results["analysis"]:
        wall, events = row.get("wall_s"), row.get("events")
        sources.add(row.get("events_source"))
        rows.append([f"{row['factor']}×", ANALYSER_LABELS[row["tool"]],
                     f"{row['trace_bytes']:,}", f"{events:,}" if events else "-",
                     f"{wall:.2f} s" if wall else "failed: " + str(row.get("failure")),
                     f"{events / wall:,.0f}" if wall and events else "-",
                     mib(row["max_rss_kib"]) if row.get("max_rss_kib") else "-"])
    header = ["W1 trace length", "analyser", "trace bytes", "events", "wall time", "events/s",
              "peak RSS"]
    note = ("Events are allocations + frees, counted by "
            + ", ".join(sorted(s for s in sources if s)) + ".")
    return f"## Analysis of W1 traces\n\n{table(header, rows)}\n\n{note}\n"


def verdict(ok):
    return "not measured" if ok is None else ("met" if ok else "missed")


def target_rows(results):
    overhead, rows = results["overhead"], []
    for case, info in results["cases"].items():
        ours = slowdown(overhead, case, "heapscope")
        if info["group"] == "w1w2":
            theirs = slowdown(overhead, case, "heaptrack")
            ok = ours <= theirs * MAX_SLOWDOWN_SHARE_OF_HEAPTRACK if ours and theirs else None
            measured = (f"heapscope {ours:.2f}×, heaptrack {theirs:.2f}×"
                        if ours and theirs else "-")
            rows.append([f"{case}: heapscope slowdown ≤ heaptrack's / 3", measured, verdict(ok)])
        else:
            ok = ours <= MAX_W3_SLOWDOWN if ours else None
            rows.append([f"{case}: heapscope slowdown ≤ {MAX_W3_SLOWDOWN}×",
                         f"{ours:.2f}×" if ours else "-", verdict(ok)])
            sampled = slowdown(overhead, case, "heapscope-sampled")
            if sampled:
                rows.append([f"{case}: heapscope --sample-rate 512K slowdown ≤ "
                             f"{MAX_W3_SAMPLED_SLOWDOWN}×", f"{sampled:.2f}×",
                             verdict(sampled <= MAX_W3_SAMPLED_SLOWDOWN)])
    for case, per_tool in results["trace_size"].items():
        ours = bytes_per_allocation(per_tool.get("heapscope"))
        theirs = bytes_per_allocation(per_tool.get("heaptrack"))
        ok = ours <= theirs if ours and theirs else None
        rows.append([f"{case}: trace bytes/allocation ≤ heaptrack's",
                     f"{ours:.2f} vs {theirs:.2f}" if ours and theirs else "-", verdict(ok)])
    return rows + analysis_target_rows(results["analysis"])


def analysis_target_rows(analysis):
    by_key = {(r["factor"], r["tool"]): r for r in analysis if r.get("wall_s")}
    factors = sorted({r["factor"] for r in analysis})
    rows = []
    for factor in factors:
        ours, theirs = by_key.get((factor, "heapscope")), by_key.get((factor, "heaptrack"))
        speedup = theirs["wall_s"] / ours["wall_s"] if ours and theirs else None
        rows.append([f"analysis of W1 {factor}×: ≥ {MIN_ANALYSIS_SPEEDUP:g}× faster than "
                     "heaptrack_print", f"{speedup:.1f}×" if speedup else "-",
                     verdict(speedup >= MIN_ANALYSIS_SPEEDUP if speedup else None)])
    if len(factors) >= 2:
        first = by_key.get((factors[0], "heapscope"))
        last = by_key.get((factors[-1], "heapscope"))
        growth = last["max_rss_kib"] / first["max_rss_kib"] if first and last else None
        rows.append([f"analysis memory at {factors[-1]}× ≤ {MAX_ANALYSIS_RSS_GROWTH}× that at "
                     f"{factors[0]}×", f"{growth:.2f}×" if growth else "-",
                     verdict(growth <= MAX_ANALYSIS_RSS_GROWTH if growth else None)])
    return rows


def render(results):
    machine = "\n".join(f"- {key}: {value}" for key, value in results["machine"].items())
    cases = "\n".join(f"- {name}: {info['description']}" for name, info in
                      results["cases"].items())
    parts = [
        "# heapscope benchmark results\n",
        f"Command: `{results['command']}`\n",
        f"Scale {results['scale']:g}; medians of {results['runs']} runs "
        f"({results['valgrind_runs']} under valgrind). Slowdown = median wall time / native "
        "median wall time.\n",
        f"## Machine\n\n{machine}\n",
        f"## Cases\n\n{cases}\n",
        overhead_tables(results),
        trace_size_table(results),
    ]
    if results["analysis"]:
        parts.append(analysis_table(results))
    parts.append("## Targets\n\n" + table(["target", "measured", "verdict"],
                                          target_rows(results)) + "\n")
    return "\n".join(parts)
