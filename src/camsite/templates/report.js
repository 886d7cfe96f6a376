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

  var C = D.colors;
  var defs = el("defs", {}, svg);
  function hatch(id, color, cross) {  // hatching in map metres: 9 m apart
    var p = el("pattern", { id: id, patternUnits: "userSpaceOnUse", width: 9, height: 9 }, defs);
    el("path", { d: "M0 9L9 0M-2 2L2 -2M7 11L11 7", stroke: color, "stroke-width": 1.4 }, p);
    if (cross) el("path", { d: "M0 0L9 9M-2 7L2 11M7 -2L11 2", stroke: color, "stroke-width": 1.4 }, p);
  }
  hatch("hatch-exclusion", C.exclusion, false);
  hatch("hatch-no_view", C.no_view, true);

  var gWater = el("g", { "class": "water" }, svg);
  var gDistricts = el("g", { "class": "districts" }, svg);
  var gStreets = el("g", { "class": "streets" }, svg);
  var gAreas = el("g", { "class": "areas" }, svg);
  var gZones = el("g", { "class": "zones" }, svg);
  var gDemand = el("g", { "class": "demand" }, svg);
  var gViews = el("g", { "class": "viewsheds" }, svg);
  var gInc = el("g", { "class": "incidents" }, svg);
  var gLabels = el("g", { "class": "map-labels" }, svg);
  var gMetro = el("g", { "class": "metro" }, svg);
  var gCams = el("g", { "class": "cameras" }, svg);
  var gSites = el("g", { "class": "sites" }, svg);

  if (D.water) {
    tipText(el("path", { d: D.water, "class": "water-area", fill: C.water, stroke: C.water_edge, "fill-rule": "evenodd",
                         "stroke-width": 0.8, "vector-effect": "non-scaling-stroke" }, gWater), L.legend_water);
  }
  if (D.district_lines) {
    el("path", { d: D.district_lines, "class": "district-lines", fill: "none", stroke: C.district,
                 "stroke-width": 1.4, "stroke-dasharray": "9 3 2 3", "vector-effect": "non-scaling-stroke" }, gDistricts);
  }
  D.zones.forEach(function (z) {
    tipText(el("path", { d: z.d, "class": "zone zone-" + z.kind, fill: "url(#hatch-" + z.kind + ")", stroke: C[z.kind],
                         "stroke-width": 1.6, "fill-rule": "evenodd", "vector-effect": "non-scaling-stroke" }, gZones),
            (z.kind === "exclusion" ? L.legend_exclusion : L.legend_no_view) + ": " + z.label);
  });
  if (D.study_area) {
    px(el("path", { d: D.study_area, fill: "none", stroke: "#444", "stroke-dasharray": "6 4",
                    "vector-effect": "non-scaling-stroke" }, gAreas), "stroke-width", 1.2);
  }
  D.subareas.forEach(function (s) {
    var p = el("path", { d: s.d, fill: "#009E73", "fill-opacity": 0.04, stroke: "#009E73", "stroke-dasharray": "2 3",
                         "vector-effect": "non-scaling-stroke", "stroke-width": 1.2 }, gAreas);
    tipText(p, s.label + (s.illustrative ? " (" + L.illustrative_flag.toLowerCase() + ")" : ""));
  });
  D.streets.forEach(function (s) {  // [name, path, main street (1) or not (0)]
    tipText(el("path", { d: s[1], "class": s[2] ? "street-main" : "street", fill: "none",
                         stroke: s[2] ? C.street_main : C.street, "stroke-width": s[2] ? 2.4 : 1.2,
                         "stroke-linecap": "round", "vector-effect": "non-scaling-stroke" }, gStreets),
            s[0] || L.unnamed_street);
  });
  D.demand.forEach(function (s) {  // coloured by weighted incidents (w); counts (n) under 3 are suppressed
    var attrs = { d: s.d, fill: "none", "stroke-linecap": "round", "vector-effect": "non-scaling-stroke" };
    var text;
    if (s.sup) {
      attrs.stroke = "#b0b0b0"; attrs["stroke-dasharray"] = "2 3";
      text = (s.s || L.unnamed_street) + "\n" + L.incidents_total + ": " + L.suppressed;
    } else {
      attrs.stroke = ramp(s.w / Math.max(D.demand_max, 1e-9)); attrs["stroke-opacity"] = 0.9;
      text = (s.s || L.unnamed_street) + "\n" + L.demand_weight_tip + ": " + fmt(s.w, 1) + "\n" +
             L.incidents_total + ": " + fmt(s.n, 0);
    }
    px(tipText(el("path", attrs, gDemand), text), "stroke-width", s.sup ? 3 : 6);
  });
  var LABEL_FILL = { station: C.metro, district: C.district_text, street: C.street_text, subarea: "#007a5a" };
  D.map_labels.forEach(function (l) {  // placed in Python so they do not collide; sizes in pixels
    var zone = D.zones.filter(function (z) { return z.label === l.t; })[0];
    var t = el("text", { "class": "map-label label-" + l.k, "text-anchor": "middle", "dominant-baseline": "central",
                         transform: "translate(" + l.x + " " + l.y + ")" + (l.a ? " rotate(" + l.a + ")" : ""),
                         fill: l.k === "zone" ? (zone ? C[zone.kind] : C.exclusion) : LABEL_FILL[l.k],
                         "font-weight": l.k === "station" || l.k === "district" ? "bold" : null,
                         "font-style": l.k === "street" ? "italic" : null, stroke: "#fff", "stroke-linejoin": "round",
                         "paint-order": "stroke" }, gLabels);
    t.textContent = l.t;
    px(t, "font-size", l.s); px(t, "stroke-width", 3);
  });
  D.entrances.forEach(function (p) {
    px(tipText(el("circle", { "class": "entrance", cx: p[0], cy: p[1], fill: "#fff", stroke: C.metro,
                              "stroke-width": 1.6, "vector-effect": "non-scaling-stroke" }, gMetro),
               L.metro_entrance + " (" + p[2] + ")"), "r", 4);
  });
  (D.incidents || []).forEach(function (p) {
    px(tipText(el("circle", { cx: p[0], cy: p[1], fill: "#6a3d9a", "fill-opacity": 0.75 }, gInc),
               L.legend_incidents + ": " + p[2]), "r", 2.5);
  });
  var graded = (D.views || []).length > 0;  // graded coverage: views filled by EN 62676-4 level, outlined by status
  (D.views || []).forEach(function (v) {  // detect first, so identify lies on top
    var text = L["legend_view_" + v.lvl] + "\n" + (v.src === "existing" ? L.legend_existing : L.legend_proposed) +
               " " + v.id + (v.share < 1 ? "\n" + L.views_time_share.replace("{share}", fmt(100 * v.share, 0) + " %") : "");
    tipText(el("path", { d: v.d, "class": "level-view level-" + v.lvl, fill: D.level_colors[v.lvl], "fill-opacity": 0.55,
                         stroke: "none", "fill-rule": "evenodd" }, gViews), text);
  });
  D.existing.forEach(function (c) {
    if (c.vs) { el("path", { d: c.vs, fill: graded ? "none" : "#0072B2", "fill-opacity": 0.18, stroke: "#0072B2",
                             "stroke-opacity": graded ? 0.9 : 0.5, "vector-effect": "non-scaling-stroke" }, gViews); }
    var m = el("rect", { "class": "camera-marker", fill: "#0072B2", stroke: "#fff", "stroke-width": 1.5,
                         "vector-effect": "non-scaling-stroke" }, gCams);
    m.dataset.x = c.x; m.dataset.y = c.y;
    scaled.push([m, "square", 11]);
    tipText(m, L.legend_existing + " " + c.id + " (" + c.type + ")\n" + L.covered_weight + ": " + fmt(c.w, 1) +
            "\n" + L.covered_incidents + ": " + count(c.inc) + "\n" + L.source + ": " + c.src);
  });
  var markers = {};
  D.sites.forEach(function (s) {
    if (s.vs) { el("path", { d: s.vs, "class": "site-viewshed", fill: graded ? "none" : "#D55E00", "fill-opacity": 0.2,
                             stroke: "#D55E00", "stroke-opacity": graded ? 0.9 : 0.6, "vector-effect": "non-scaling-stroke" },
                   gViews); }
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

  // the legend: exactly the layers drawn, as Python listed them (the same list as map.png's legend)
  var leg = document.getElementById("legend");
  var SWATCH = {
    water: "background:" + C.water + ";border:1px solid " + C.water_edge,
    districts: "height:2px;background:repeating-linear-gradient(90deg," + C.district + " 0 7px,transparent 7px 9px," +
      C.district + " 9px 11px,transparent 11px 13px)",  // dash-dot, as on the map
    streets_main: "height:3px;background:" + C.street_main, streets: "height:2px;background:" + C.street,
    metro: "width:9px;height:9px;border-radius:50%;background:#fff;border:2px solid " + C.metro,
    study_area: "height:0;border-top:2px dashed #444", subareas: "height:0;border-top:2px dotted #009E73",
    exclusion: "border:1px solid " + C.exclusion + ";background:repeating-linear-gradient(-45deg," + C.exclusion +
      " 0 1.5px,transparent 1.5px 4px)",
    no_view: "border:1px solid " + C.no_view + ";background:repeating-linear-gradient(45deg," + C.no_view +
      " 0 1px,transparent 1px 4px),repeating-linear-gradient(-45deg," + C.no_view + " 0 1px,transparent 1px 4px)",
    demand: "height:6px;background:linear-gradient(90deg," + ramp(0) + "," + ramp(1) + ")",
    suppressed: "height:0;border-top:3px dotted #b0b0b0",
    incidents: "width:8px;height:8px;border-radius:50%;background:#6a3d9a",
    viewshed_ex: "background:rgba(0,114,178,.3);border:1px solid rgba(0,114,178,.6)",
    existing: "width:10px;height:10px;background:#0072B2",
    viewshed_new: "background:rgba(213,94,0,.3);border:1px solid rgba(213,94,0,.7)",
    proposed: "width:11px;height:11px;border-radius:50%;background:#D55E00"
  };
  Object.keys(D.level_colors || {}).forEach(function (lvl) {  // graded coverage: one swatch per level
    SWATCH["view_" + lvl] = "background:" + D.level_colors[lvl] + ";opacity:.75";
  });
  leg.innerHTML = "";
  D.legend.forEach(function (it) {
    var row = document.createElement("div"), sw = document.createElement("span");
    row.setAttribute("data-key", it[0]);
    sw.className = "sw";
    sw.style.cssText = SWATCH[it[0]] || "";
    row.appendChild(sw);
    row.appendChild(document.createTextNode(it[1]));
    leg.appendChild(row);
  });
  window.addEventListener("resize", apply);
  apply();
  svg.setAttribute("data-ready", "1");
})();
