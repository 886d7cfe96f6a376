/* camsite report map: draws the embedded data as SVG (EPSG:3011 metres, shifted to the map's corner).
   No network: everything comes from the JSON block in this file. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("camsite-data").textContent);
  var L = D.labels, NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("map"), box = svg.parentNode;
  var tip = document.getElementById("tooltip");
  var W = D.size[0], H = D.size[1];
  var vb = { x: 0, y: 0, w: W, h: H };
  var scaled = [];  // [element, attribute, pixels]

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) { if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]); }
    if (parent) parent.appendChild(e);
    return e;
  }
  function px(e, attr, pixels) { scaled.push([e, attr, pixels]); return e; }
  function fmt(v, d) {
    if (v === null || v === undefined) return "–";
    return Number(v).toLocaleString(D.locale, { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });
  }
  function count(v) { return v === null || v === undefined ? L.suppressed : fmt(v, 1); }  // null: under 3
  function tipText(e, text) { e.setAttribute("data-tip", text); return e; }
  function ramp(t) {  // light to dark purple, t in [0, 1]
    var a = [188, 176, 218], b = [63, 0, 125];
    var c = a.map(function (v, i) { return Math.round(v + (b[i] - v) * Math.max(0, Math.min(1, t))); });
    return "rgb(" + c.join(",") + ")";
  }

  var gAreas = el("g", { "class": "areas" }, svg);
  var gStreets = el("g", { "class": "streets" }, svg);
  var gDemand = el("g", { "class": "demand" }, svg);
  var gViews = el("g", { "class": "viewsheds" }, svg);
  var gInc = el("g", { "class": "incidents" }, svg);
  var gCams = el("g", { "class": "cameras" }, svg);
  var gSites = el("g", { "class": "sites" }, svg);

  if (D.study_area) {
    px(el("path", { d: D.study_area, fill: "none", stroke: "#444", "stroke-dasharray": "6 4",
                    "vector-effect": "non-scaling-stroke" }, gAreas), "stroke-width", 1.2);
  }
  D.subareas.forEach(function (s) {
    var p = el("path", { d: s.d, fill: "#009E73", "fill-opacity": 0.04, stroke: "#009E73", "stroke-dasharray": "2 3",
                         "vector-effect": "non-scaling-stroke", "stroke-width": 1.2 }, gAreas);
    tipText(p, s.label + (s.illustrative ? " (" + L.illustrative_flag.toLowerCase() + ")" : ""));
  });
  D.streets.forEach(function (s) {
    tipText(el("path", { d: s[1], fill: "none", stroke: "#a3a9b0", "stroke-width": 1.4, "stroke-linecap": "round",
                         "vector-effect": "non-scaling-stroke" }, gStreets), s[0] || L.unnamed_street);
  });
  D.demand.forEach(function (s) {
    var attrs = { d: s.d, fill: "none", "stroke-linecap": "round", "vector-effect": "non-scaling-stroke" };
    var text;
    if (s.sup) {
      attrs.stroke = "#b0b0b0"; attrs["stroke-dasharray"] = "2 3";
      text = (s.s || L.unnamed_street) + "\n" + L.legend_demand + ": " + L.suppressed;
    } else {
      attrs.stroke = ramp(s.n / Math.max(D.demand_max, 1)); attrs["stroke-opacity"] = 0.9;
      text = (s.s || L.unnamed_street) + "\n" + L.legend_demand + ": " + fmt(s.n, 0);
    }
    px(tipText(el("path", attrs, gDemand), text), "stroke-width", s.sup ? 3 : 6);
  });
  (D.incidents || []).forEach(function (p) {
    px(tipText(el("circle", { cx: p[0], cy: p[1], fill: "#6a3d9a", "fill-opacity": 0.75 }, gInc),
               L.legend_incidents + ": " + p[2]), "r", 2.5);
  });
  D.existing.forEach(function (c) {
    if (c.vs) { el("path", { d: c.vs, fill: "#0072B2", "fill-opacity": 0.18, stroke: "#0072B2", "stroke-opacity": 0.5,
                             "vector-effect": "non-scaling-stroke" }, gViews); }
    var m = el("rect", { "class": "camera-marker", fill: "#0072B2", stroke: "#fff", "stroke-width": 1.5,
                         "vector-effect": "non-scaling-stroke" }, gCams);
    m.dataset.x = c.x; m.dataset.y = c.y;
    scaled.push([m, "square", 11]);
    tipText(m, L.legend_existing + " " + c.id + " (" + c.type + ")\n" + L.covered_weight + ": " + fmt(c.w, 1) +
            "\n" + L.covered_incidents + ": " + count(c.inc) + "\n" + L.source + ": " + c.src);
  });
  var markers = {};
  D.sites.forEach(function (s) {
    if (s.vs) { el("path", { d: s.vs, "class": "site-viewshed", fill: "#D55E00", "fill-opacity": 0.2, stroke: "#D55E00",
                             "stroke-opacity": 0.6, "vector-effect": "non-scaling-stroke" }, gViews); }
    var g = el("g", { "class": "site-marker", "data-rank": s.rank }, gSites);
    var c = px(el("circle", { cx: s.x, cy: s.y, fill: "#D55E00", stroke: "#fff", "stroke-width": 1.5,
                              "vector-effect": "non-scaling-stroke" }, g), "r", 10);
    var t = px(el("text", { x: s.x, y: s.y, "text-anchor": "middle", "dominant-baseline": "central", fill: "#fff",
                            "font-weight": "bold" }, g), "font-size", 11);
    t.textContent = s.rank;
    tipText(g, "#" + s.rank + " " + s.id + " – " + (s.street || L.unnamed_street) + "\n" + s.type + "\n" +
            L.cost_sek + ": " + fmt(s.cost, 0) + "\n" + L.gain_weight + ": " + fmt(s.gain, 2) + "\n" +
            L.gain_incidents + ": " + count(s.inc) + "\n" + L.cumulative_coverage_pct + ": " + fmt(s.cum, 1));
    markers[s.rank] = g;
    void c;
  });

  function unitsPerPixel() {
    var r = svg.getBoundingClientRect();
    return Math.max(vb.w / Math.max(r.width, 1), vb.h / Math.max(r.height, 1));
  }
  function apply() {
    svg.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].join(" "));
    var u = unitsPerPixel();
    scaled.forEach(function (s) {
      if (s[1] === "square") {
        var half = s[2] * u / 2, e = s[0];
        e.setAttribute("x", e.dataset.x - half); e.setAttribute("y", e.dataset.y - half);
        e.setAttribute("width", 2 * half); e.setAttribute("height", 2 * half);
      } else if (s[1] === "stroke-width" && s[0].getAttribute("vector-effect") === "non-scaling-stroke") {
        s[0].setAttribute("stroke-width", s[2]);
      } else {
        s[0].setAttribute(s[1], s[2] * u);
      }
    });
    scaleBar();
  }
  function scaleBar() {
    var sb = document.getElementById("scalebar"), u = unitsPerPixel(), target = 120 * u;
    var p = Math.pow(10, Math.floor(Math.log10(target))), len = p;
    [5, 2, 1].some(function (m) { if (m * p <= target) { len = m * p; return true; } return false; });
    sb.querySelector(".bar-line").style.width = (len / u) + "px";
    sb.querySelector("span").textContent = len >= 1000 ? (len / 1000) + " km" : len + " m";
  }
  function zoom(factor, cx, cy) {
    var nw = Math.min(Math.max(vb.w * factor, W / 40), W * 4), k = nw / vb.w;
    if (cx === undefined) { cx = vb.x + vb.w / 2; cy = vb.y + vb.h / 2; }
    vb = { x: cx - (cx - vb.x) * k, y: cy - (cy - vb.y) * k, w: nw, h: vb.h * k };
    apply();
  }
  function toMap(evt) {
    var r = svg.getBoundingClientRect(), u = unitsPerPixel();
    var ox = (r.width * u - vb.w) / 2, oy = (r.height * u - vb.h) / 2;
    return [vb.x - ox + (evt.clientX - r.left) * u, vb.y - oy + (evt.clientY - r.top) * u];
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toMap(evt);
    zoom(evt.deltaY > 0 ? 1.2 : 1 / 1.2, p[0], p[1]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    drag = { x: evt.clientX, y: evt.clientY, vx: vb.x, vy: vb.y };
    svg.classList.add("dragging");
    svg.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!drag) return;
    var u = unitsPerPixel();
    vb.x = drag.vx - (evt.clientX - drag.x) * u; vb.y = drag.vy - (evt.clientY - drag.y) * u;
    apply();
  });
  function endDrag() { drag = null; svg.classList.remove("dragging"); }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  document.getElementById("zoom-in").onclick = function () { zoom(1 / 1.5); };
  document.getElementById("zoom-out").onclick = function () { zoom(1.5); };
  document.getElementById("zoom-reset").onclick = function () { vb = { x: 0, y: 0, w: W, h: H }; apply(); };

  svg.addEventListener("mousemove", function (evt) {
    var t = evt.target.closest ? evt.target.closest("[data-tip]") : null;
    if (!t || drag) { tip.hidden = true; return; }
    tip.textContent = t.getAttribute("data-tip");
    tip.hidden = false;
    var r = box.getBoundingClientRect();
    var x = evt.clientX - r.left + 14, y = evt.clientY - r.top + 14;
    if (x + tip.offsetWidth > r.width) x = evt.clientX - r.left - tip.offsetWidth - 10;
    if (y + tip.offsetHeight > r.height) y = evt.clientY - r.top - tip.offsetHeight - 10;
    tip.style.left = x + "px"; tip.style.top = y + "px";
  });
  svg.addEventListener("mouseleave", function () { tip.hidden = true; });

  document.querySelectorAll("tr[data-rank]").forEach(function (row) {
    var m = markers[row.getAttribute("data-rank")];
    if (!m) return;
    row.addEventListener("mouseenter", function () { m.querySelector("circle").setAttribute("fill", "#8a3a00"); });
    row.addEventListener("mouseleave", function () { m.querySelector("circle").setAttribute("fill", "#D55E00"); });
    row.addEventListener("click", function () {
      var c = m.querySelector("circle"), w = Math.min(W, H) / 3;
      vb = { x: +c.getAttribute("cx") - w / 2, y: +c.getAttribute("cy") - w / 2 * H / W, w: w, h: w * H / W };
      apply();
      document.getElementById("map-section").scrollIntoView({ behavior: "smooth" });
    });
  });

  var leg = document.getElementById("legend");
  var items = [
    ["line", "#a3a9b0", L.legend_streets], ["square", "#0072B2", L.legend_existing],
    ["dot", "#D55E00", L.legend_proposed], ["area", "rgba(0,114,178,.3)", L.legend_viewshed_ex],
    ["area", "rgba(213,94,0,.3)", L.legend_viewshed_new],
    ["grad", "linear-gradient(90deg," + ramp(0) + "," + ramp(1) + ")", L.legend_demand +
      " (" + fmt(D.demand_min, 0) + "–" + fmt(D.demand_max, 0) + ")"]
  ];
  if (D.has_suppressed) items.push(["dash", "#b0b0b0", L.legend_suppressed]);
  if (D.incidents) items.push(["dot", "#6a3d9a", L.legend_incidents]);
  items.push(["dash", "#444", L.legend_study_area]);
  leg.innerHTML = "";
  items.forEach(function (it) {
    var row = document.createElement("div"), sw = document.createElement("span");
    sw.className = "sw" + (it[0] === "dot" ? " dot" : "");
    if (it[0] === "line") sw.style.cssText = "height:3px;background:" + it[1];
    else if (it[0] === "dash") sw.style.cssText = "height:0;border-top:3px dotted " + it[1];
    else if (it[0] === "grad") sw.style.cssText = "height:6px;background:" + it[1];
    else sw.style.background = it[1];
    row.appendChild(sw);
    row.appendChild(document.createTextNode(it[2]));
    leg.appendChild(row);
  });
  window.addEventListener("resize", apply);
  apply();
  svg.setAttribute("data-ready", "1");
})();
