/* pgready HTML report: sorting, filtering, drill-down and graph highlighting. No dependencies,
   no network; everything works on the page as written by auditor/report/html.py. */
(function () {
  "use strict";

  function cellValue(row, index, type) {
    var cell = row.cells[index];
    if (!cell) return type === "num" ? -Infinity : "";
    var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }

  function sortBy(th) {
    var table = th.closest("table");
    var headers = Array.prototype.slice.call(th.parentNode.children);
    var index = headers.indexOf(th);
    var type = th.getAttribute("data-type") || "text";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: cellValue(row, index, type), i: i };
    });
    rows.sort(function (a, b) {
      var c = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      return (ascending ? c : -c) || a.i - b.i;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }

  function applyFilter(tableId) {
    var table = document.getElementById(tableId);
    if (!table) return;
    var texts = [], attrs = [];
    document.querySelectorAll('[data-filter-for="' + tableId + '"]').forEach(function (control) {
      var value = control.value.trim().toLowerCase();
      if (!value) return;
      if (control.hasAttribute("data-filter-attr")) attrs.push([control.getAttribute("data-filter-attr"), value]);
      else texts.push(value);
    });
    var shown = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], text = row.textContent.toLowerCase(), ok = true;
      texts.forEach(function (t) { if (text.indexOf(t) < 0) ok = false; });
      attrs.forEach(function (a) { if ((row.getAttribute("data-" + a[0]) || "").toLowerCase() !== a[1]) ok = false; });
      row.hidden = !ok;
      if (ok) shown++;
    }
    document.querySelectorAll('[data-count-for="' + tableId + '"]').forEach(function (span) {
      span.textContent = shown + " of " + rows.length + " shown";
    });
  }

  function reveal(id, scroll) {
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    if (scroll) target.scrollIntoView({ block: "start" });
    target.classList.add("flash");
    window.setTimeout(function () { target.classList.remove("flash"); }, 1600);
  }

  function graphHighlight(node, on) {
    var svg = node.closest("svg");
    svg.classList.toggle("focus", on);
    svg.querySelectorAll(".on").forEach(function (el) { el.classList.remove("on"); });
    if (!on) return;
    var keys = {};
    keys[node.getAttribute("data-key")] = true;
    (node.getAttribute("data-rel") || "").split(" ").forEach(function (k) { if (k) keys[k] = true; });
    svg.querySelectorAll(".node").forEach(function (n) { if (keys[n.getAttribute("data-key")]) n.classList.add("on"); });
    svg.querySelectorAll(".edge").forEach(function (e) {
      if (keys[e.getAttribute("data-a")] && keys[e.getAttribute("data-b")]) e.classList.add("on");
    });
  }

  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });
  document.querySelectorAll("[data-filter-for]").forEach(function (control) {
    var id = control.getAttribute("data-filter-for");
    control.addEventListener("input", function () { applyFilter(id); });
    control.addEventListener("change", function () { applyFilter(id); });
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest('a[href^="#"]');
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (document.getElementById(id)) {
      e.preventDefault();
      if (window.history && history.replaceState) history.replaceState(null, "", "#" + id);
      reveal(id, true);
    }
  });
  window.addEventListener("hashchange", function () { reveal(decodeURIComponent(location.hash.slice(1)), true); });
  if (location.hash) reveal(decodeURIComponent(location.hash.slice(1)), true);
  document.querySelectorAll("svg.graph .node").forEach(function (node) {
    ["mouseenter", "focus"].forEach(function (ev) { node.addEventListener(ev, function () { graphHighlight(node, true); }); });
    ["mouseleave", "blur"].forEach(function (ev) { node.addEventListener(ev, function () { graphHighlight(node, false); }); });
  });

  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
