// heapscope: the interactive flame graph of the HTML pages. Plain DOM rather than a library:
// the graph is one absolutely placed <div> per visible frame, which needs about 200 lines, while
// the well-known flame graph packages pull in d3 (several times the size of the whole page) and
// set their labels and tooltips as HTML. Every name is set through textContent only.
"use strict";
window.HeapscopeFlame = (function () {
  const ROW = 18;
  const MIN_PX = 0.5;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function format(value, bytes) {
    const exact = value.toLocaleString("en-US");
    if (!bytes) return exact;
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = value, u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return exact + " B" + (u ? " (" + v.toFixed(1) + " " + units[u] + ")" : "");
  }

  // [name index, values, children] into linked nodes.
  function unpack(names, packed, parent, depth) {
    const node = { name: names[packed[0]], values: packed[1], parent: parent, depth: depth, children: [] };
    for (const child of packed[2]) node.children.push(unpack(names, child, node, depth + 1));
    return node;
  }

  function hue(name) {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return "hsl(" + (10 + h % 45) + ", " + (70 + h % 25) + "%, " + (55 + (h >> 8) % 15) + "%)";
  }

  function create(container, flame, metrics, initialMetric) {
    const root = unpack(flame.names, flame.root, null, 0);
    let metric = Math.max(0, metrics.findIndex(m => m.name === initialMetric));
    let zoom = root;
    let term = "";

    const bar = el("div", "hs-flame-bar");
    const select = el("select");
    select.id = "flame-metric";
    metrics.forEach((m, i) => {
      const option = el("option", null, m.description);
      option.value = String(i);
      select.appendChild(option);
    });
    select.value = String(metric);
    const search = el("input");
    search.id = "flame-search";
    search.type = "search";
    search.placeholder = "search functions";
    const reset = el("button", null, "reset zoom");
    const status = el("span", "hs-flame-status");
    bar.append("show ", select, " ", search, " ", reset, " ", status);
    const graph = el("div", "hs-flame");
    const tip = el("div", "hs-tip");
    container.append(bar, graph, tip);

    function value(node) { return node.values[metric]; }

    function describe(node) {
      const lines = [node.name];
      metrics.forEach((m, i) => lines.push(m.description + ": " + format(node.values[i], m.bytes)));
      const total = value(root);
      if (total > 0) lines.push((100 * value(node) / total).toFixed(2) + "% of all " + metrics[metric].description);
      return lines.join("\n");
    }

    function depthBelow(node, scale) {
      let d = 0;
      for (const c of node.children) if (value(c) * scale >= MIN_PX) d = Math.max(d, depthBelow(c, scale));
      return d + 1;
    }

    function render() {
      graph.replaceChildren();
      const width = graph.clientWidth || 1000;
      const total = value(zoom);
      const scale = total > 0 ? width / total : 0;
      const ancestors = [];
      for (let a = zoom.parent; a; a = a.parent) ancestors.unshift(a);
      const rows = ancestors.length + (total > 0 ? depthBelow(zoom, scale) : 1);
      graph.style.height = (rows * ROW) + "px";
      let matched = 0;
      const matchedNodes = new Set();
      const lower = term.toLowerCase();
      function place(node, x, w, row, above) {
        const div = el("div", "hs-frame" + (above ? " hs-above" : ""), w > 30 ? node.name : "");
        div.style.left = x + "px";
        div.style.width = Math.max(w - 1, 0.5) + "px";
        div.style.bottom = (row * ROW) + "px";
        div.style.background = hue(node.name);
        div.hsNode = node;
        if (lower && node.name.toLowerCase().includes(lower)) {
          div.classList.add("hs-match");
          matchedNodes.add(node);
        }
        graph.appendChild(div);
      }
      ancestors.forEach((a, i) => place(a, 0, width, i, true));
      function walk(node, x, row) {
        const w = value(node) * scale;
        if (w < MIN_PX) return;
        place(node, x, w, row, false);
        let cx = x;
        for (const c of node.children) { walk(c, cx, row + 1); cx += value(c) * scale; }
      }
      if (total > 0) walk(zoom, 0, ancestors.length);
      // The share of the matches counts each stack once: a match below a match adds nothing.
      for (const n of matchedNodes) {
        let covered = false;
        for (let a = n.parent; a; a = a.parent) if (matchedNodes.has(a)) { covered = true; break; }
        if (!covered) matched += value(n);
      }
      status.textContent = term
        ? matchedNodes.size + " matching frames, " + (value(root) ? (100 * matched / value(root)).toFixed(2) : "0.00") + "% of the total"
        : "";
    }

    graph.addEventListener("click", e => {
      const node = e.target.hsNode;
      if (node) { zoom = node; render(); }
    });
    graph.addEventListener("mousemove", e => {
      const node = e.target.hsNode;
      if (!node) { tip.style.display = "none"; return; }
      tip.textContent = describe(node);
      tip.style.display = "block";
      tip.style.left = (e.pageX + 12) + "px";
      tip.style.top = (e.pageY + 12) + "px";
    });
    graph.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    select.addEventListener("change", () => { metric = Number(select.value); render(); });
    search.addEventListener("input", () => { term = search.value; render(); });
    reset.addEventListener("click", () => { zoom = root; render(); });
    window.addEventListener("resize", render);
    render();
  }

  return { create: create, format: format };
})();
