// heapscope: builds the sections of an HTML page from the JSON data embedded in it. Text from
// the trace (symbols, paths, marks) is only ever set through textContent.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("heapscope-data").textContent);
  const page = document.getElementById("page");
  const format = window.HeapscopeFlame.format;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  }

  function section(title, id) {
    const s = el("section", { id: id });
    s.append(el("h2", null, title));
    page.append(s);
    return s;
  }

  function seconds(ns) { return (ns / 1e9).toFixed(3) + " s"; }

  function figureCell(key, value, bytes) {
    return el("td", { "data-key": key, class: "num" }, value === null ? "unknown" : format(value, bytes));
  }

  function summary() {
    const s = data.summary;
    const rows = [
      ["runtime", "runtime_ns", s.runtime_ns, false, seconds(s.runtime_ns)],
      ["allocations", "allocations", s.allocations, false],
      ["frees", "frees", s.frees, false],
      ["bytes allocated", "bytes_allocated", s.bytes_allocated, true],
      ["peak heap", "peak_heap_bytes", s.peak_heap_bytes, true],
      ["peak heap time", "peak_heap_time_ns", s.peak_heap_time_ns, false, seconds(s.peak_heap_time_ns)],
      ["peak RSS", "peak_rss_bytes", s.peak_rss_bytes, true],
      ["temporary allocations", "temporary_allocations", s.temporary_allocations, false],
      ["not freed at exit", "leaked_bytes", s.leaked_bytes, true],
      ["blocks not freed at exit", "leaked_blocks", s.leaked_blocks, false],
      ["recording paused", "paused_ns", s.paused_ns, false, seconds(s.paused_ns)],
      ["threads", "threads", s.threads, false],
      ["pid", "pid", s.pid, false],
      ["sample rate (bytes; 0: every allocation)", "sample_rate", s.sample_rate, false],
      ["exit status", "exit_status", s.exit_status, false],
    ];
    for (const [kind, v] of Object.entries(s.leaks)) {
      rows.push([kind.replace("_", " ") + " (bytes)", "leaks." + kind + ".bytes", v.bytes, true]);
      rows.push([kind.replace("_", " ") + " (blocks)", "leaks." + kind + ".blocks", v.blocks, false]);
    }
    for (const [kind, v] of Object.entries(s.errors)) rows.push([kind.replace("_", " ") + "s", "errors." + kind, v, false]);
    const table = el("table", { class: "summary" });
    for (const [label, key, value, bytes, note] of rows) {
      const tr = el("tr", null, el("th", null, label), figureCell(key, value, bytes));
      tr.append(el("td", null, note || ""));
      table.append(tr);
    }
    const sec = section("Summary", "summary");
    sec.append(el("p", { class: "program" }, data.title));
    if (s.truncated) sec.append(el("p", { class: "warn" }, "The trace is truncated: figures cover what was recorded."));
    sec.append(table);
  }

  function timeline() {
    const t = data.timeline;
    const sec = section("Heap over time", "timeline");
    const box = el("div", { id: "timeline-chart" });
    sec.append(box);
    if (!t.time_ns.length) { box.append("No heap activity was recorded."); return; }
    const x = t.time_ns.map(ns => ns / 1e9);
    const size = (u, v) => v === null || v === undefined ? "" : format(Math.round(v), true);
    const marks = t.marks;
    const peak = data.summary;
    const opts = {
      width: Math.max(600, page.clientWidth - 20),
      height: 320,
      scales: { x: { time: false } },
      axes: [
        { label: "seconds" },
        { size: 80, values: (u, vals) => vals.map(v => format(v, true).replace(/^.*\(|\)$/g, "")) },
      ],
      series: [
        { label: "time", value: (u, v) => v === null ? "" : v.toFixed(4) + " s" },
        { label: "heap", stroke: "#b36b00", fill: "rgba(232,163,61,0.35)", paths: window.uPlot.paths.stepped({ align: 1 }), value: size },
        { label: "RSS", stroke: "#3060c0", value: size },
      ],
      hooks: {
        draw: [u => {
          const ctx = u.ctx;
          ctx.save();
          ctx.font = Math.round(11 * devicePixelRatio) + "px sans-serif";
          ctx.fillStyle = "#555";
          ctx.strokeStyle = "#888";
          ctx.setLineDash([4, 3]);
          for (const m of marks) {
            const px = u.valToPos(m.time_ns / 1e9, "x", true);
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(m.name, px + 3, u.bbox.top + 12 * devicePixelRatio);
          }
          ctx.setLineDash([]);
          const px = u.valToPos(peak.peak_heap_time_ns / 1e9, "x", true);
          const py = u.valToPos(peak.peak_heap_bytes, "y", true);
          ctx.fillStyle = "#c00";
          ctx.beginPath();
          ctx.arc(px, py, 4 * devicePixelRatio, 0, 2 * Math.PI);
          ctx.fill();
          ctx.fillText("peak " + format(peak.peak_heap_bytes, true), px + 6, py + 4);
          ctx.restore();
        }],
      },
    };
    new window.uPlot(opts, [x, t.heap, t.rss], box);
  }

  function flame() {
    const sec = section("Flame graph", "flamegraph");
    sec.append(el("p", { class: "hint" }, "Callers below, allocating functions on top. Click a frame to zoom in, hover for figures."));
    window.HeapscopeFlame.create(sec, data.flame, data.metrics, data.initial_metric || "allocated");
  }

  function stackCell(lines) {
    const td = el("td", { class: "stack" });
    if (!lines.length) { td.append("(unknown)"); return td; }
    const details = el("details", null, el("summary", null, lines[0]));
    for (const line of lines.slice(1)) details.append(el("div", null, line));
    td.append(details);
    return td;
  }

  // A table whose numeric columns sort when their heading is clicked.
  function sortableTable(id, columns, rows) {
    const table = el("table", { id: id, class: "sortable" });
    const head = el("tr");
    const body = el("tbody");
    let order = { column: -1, descending: true };
    function fill() {
      body.replaceChildren();
      for (const row of rows) {
        const tr = el("tr");
        for (const c of columns) tr.append(c.stack ? stackCell(row[c.key]) : c.text ? el("td", null, row[c.key]) : figureCell(c.key, row[c.key], c.bytes));
        body.append(tr);
      }
    }
    columns.forEach((c, i) => {
      const th = el("th", null, c.label);
      if (!c.stack && !c.text) {
        th.classList.add("sort");
        th.addEventListener("click", () => {
          order = { column: i, descending: order.column === i ? !order.descending : true };
          rows.sort((a, b) => order.descending ? b[c.key] - a[c.key] : a[c.key] - b[c.key]);
          fill();
        });
      }
      head.append(th);
    });
    table.append(el("thead", null, head), body);
    fill();
    return table;
  }

  function tables() {
    const sites = section("Top allocation sites", "sites");
    sites.append(el("p", { class: "hint" }, "The " + data.sites.length + " sites that allocated most; click a heading to sort."));
    sites.append(sortableTable("sites-table", [
      { key: "bytes_allocated", label: "bytes allocated", bytes: true },
      { key: "allocations", label: "allocations" },
      { key: "peak_bytes", label: "live at peak", bytes: true },
      { key: "leaked_bytes", label: "leaked", bytes: true },
      { key: "temporary_allocations", label: "temporary" },
      { key: "stack", label: "stack", stack: true },
    ], data.sites));

    const leaks = section("Leaks", "leaks");
    if (!data.leaks.length) leaks.append(el("p", null, "No loss records: no leak verdicts in this trace."));
    for (const kind of ["definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable"]) {
      const rows = data.leaks.filter(r => r.kind === kind);
      if (!rows.length) continue;
      leaks.append(el("h3", null, kind.replace("_", " ")));
      leaks.append(sortableTable("leaks-" + kind, [
        { key: "bytes", label: "bytes", bytes: true },
        { key: "blocks", label: "blocks" },
        { key: "indirect_bytes", label: "indirect bytes", bytes: true },
        { key: "stack", label: "allocated at", stack: true },
      ], rows));
    }

    const growth = section("Growth suspects", "growth");
    if (!data.growth.length) {
      growth.append(el("p", null, "No call site's live memory kept growing."));
    } else {
      growth.append(sortableTable("growth-table", [
        { key: "bytes_per_second", label: "bytes per second", bytes: true },
        { key: "live_bytes_at_end", label: "live at end", bytes: true },
        { key: "peak_live_bytes", label: "peak live", bytes: true },
        { key: "stack", label: "allocated at", stack: true },
      ], data.growth));
    }

    const errors = section("Heap errors", "errors");
    if (!data.errors.length) {
      errors.append(el("p", null, "No heap errors."));
    } else {
      errors.append(sortableTable("errors-table", [
        { key: "kind", label: "kind", text: true },
        { key: "address", label: "address", text: true },
        { key: "size", label: "size", bytes: true },
        { key: "stack", label: "at", stack: true },
        { key: "alloc_stack", label: "allocated at", stack: true },
        { key: "free_stack", label: "first freed at", stack: true },
      ], data.errors));
    }
  }

  page.append(el("h1", null, "heapscope"));
  summary();
  if (data.timeline) timeline();
  if (data.flame) flame();
  if (data.sites) tables();
})();
