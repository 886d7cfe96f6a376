/* camsite serve: the planning workbench page. Hand-written, no third-party code; talks only to its own server. */
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const TOKEN = new URLSearchParams(location.search).get("token");
const $ = (id) => document.getElementById(id);

const app = {
  state: null,        // GET /api/state
  session: null,      // this page's session id (from /api/state): its own plan and history on the server
  plan: null,         // the plan shown (a POST /api/solve answer)
  lang: "sv",
  cur: null,          // the request being shown: {budget_sek, forced, forbidden, removed_existing, category_weights}
  seq: 0,             // request counter: only the latest answer is drawn
  history: [],        // plans tried: {plan_id, request, figures..., site_ids}
  view: null,         // map viewBox [x, y, w, h]
  timer: null,
};

// -- texts and numbers ------------------------------------------------------------------------------------------
function t(key, fmt) {
  let s = (app.state && app.state.labels[app.lang][key]) || key;
  if (fmt) for (const [k, v] of Object.entries(fmt)) s = s.split("{" + k + "}").join(String(v));
  return s;
}
function locale() { return app.lang === "sv" ? "sv-SE" : "en-GB"; }
function num(v, d = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return new Intl.NumberFormat(locale(), {minimumFractionDigits: d, maximumFractionDigits: d}).format(v);
}
function pct(v, d = 1) { return v === null || v === undefined ? "–" : num(v, d) + " %"; }
function sek(v) { return num(v, 0) + (app.lang === "sv" ? " kr" : " SEK"); }
function typeLabel(name) { return t("type_" + name); }
function applyTexts() {
  document.documentElement.lang = app.lang;
  for (const el of document.querySelectorAll("[data-l]")) el.textContent = t(el.dataset.l);
}

// -- API --------------------------------------------------------------------------------------------------------
async function api(path, body) {
  const headers = {"Accept": "application/json"};
  if (TOKEN) headers["X-Camsite-Token"] = TOKEN;
  if (app.session) headers["X-Camsite-Session"] = app.session;
  const init = {headers, method: body === undefined ? "GET" : "POST"};
  if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const r = await fetch(path, init);
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
  return data;
}
function copyRequest(r) {
  return {budget_sek: r.budget_sek, forced: [...r.forced], forbidden: [...r.forbidden],
          removed_existing: [...r.removed_existing], category_weights: {...r.category_weights}};
}
function message(text, isError) {
  const m = $("message");
  m.textContent = text || "";
  m.classList.toggle("error", !!isError);
}
async function solve(request, quick = false) {
  app.cur = copyRequest(request);
  const seq = ++app.seq;
  document.body.dataset.busy = "1";
  message(t("wb_solving"));
  try {
    let plan = await api(quick ? "/api/solve?provisional=1" : "/api/solve", app.cur);
    if (seq !== app.seq) return;
    if (plan.provisional) {  // a plan shown at once (solved already, or reweighted) while this one is solved exactly
      showProvisional(plan);
      plan = await api("/api/solve", app.cur);
      if (seq !== app.seq) return;
    }
    showPlan(plan);
    message("");
  } catch (e) {
    if (seq !== app.seq) return;
    message(t("wb_error") + ": " + e.message, true);
    if (app.plan) app.cur = copyRequest(app.plan.request);
    renderControls();
    document.body.dataset.error = e.message;
  } finally {
    if (seq === app.seq) delete document.body.dataset.busy;
  }
}
function solveSoon(request, ms = 150) {
  app.cur = copyRequest(request);
  clearTimeout(app.timer);
  app.timer = setTimeout(() => solve(app.cur, true), ms);
}
function showProvisional(plan) {
  app.plan = plan;
  document.body.dataset.provisional = "1";
  renderFigures(); renderSites(); drawPlan();
  message(plan.provisional_basis === "reweighted" ? t("wb_provisional_weights")
          : t("wb_provisional", {spent: sek(plan.spent_sek), budget: sek(plan.budget_sek)}));
}

// -- the plan ---------------------------------------------------------------------------------------------------
function showPlan(plan) {
  app.plan = plan;
  app.cur = copyRequest(plan.request);
  delete document.body.dataset.error;
  delete document.body.dataset.provisional;
  if (!app.history.some((h) => h.plan_id === plan.plan_id)) {
    app.history.push({plan_id: plan.plan_id, request: plan.request, status: plan.status, gap: plan.gap,
                      spent_sek: plan.spent_sek, coverage_before_pct: plan.coverage_before_pct,
                      coverage_after_pct: plan.coverage_after_pct,
                      incident_coverage_after_pct: plan.incident_coverage_after_pct,
                      site_ids: plan.sites.map((s) => s.site_id)});
  }
  renderFigures(); renderControls(); renderSites(); renderHistory(); drawPlan();
  document.body.dataset.plan = String(plan.plan_id);
}
function statusText(p) { return t("wb_status_" + p.status) || p.status; }
function renderFigures() {
  const p = app.plan;
  const cell = (id, text, value) => { const el = $(id); el.textContent = text; el.dataset.value = String(value); };
  cell("fig-spent", sek(p.spent_sek) + " / " + sek(p.budget_sek), p.spent_sek);
  cell("fig-n", num(p.n_sites), p.n_sites);
  cell("fig-status", statusText(p), p.status);
  cell("fig-gap", p.gap === null ? "–" : pct(100 * p.gap, 2), p.gap === null ? "" : p.gap);
  cell("fig-time", num(p.runtime_s, 2) + " s" + (p.cached ? " (" + t("wb_cached") + ")" : ""), p.runtime_s);
  const body = $("fig-kinds");
  body.replaceChildren();
  const rows = [...p.coverage_by_kind.map((k) => [k.kind, t("kind_" + k.kind), k.before_pct, k.after_pct]),
                ["total", t("wb_total"), p.coverage_before_pct, p.coverage_after_pct]];
  for (const [kind, label, before, after] of rows) {
    const tr = document.createElement("tr");
    tr.dataset.kind = kind;
    const th = document.createElement("th"); th.textContent = label;
    const b = document.createElement("td"); b.className = "before"; b.textContent = pct(before, 1);
    b.dataset.value = String(before);
    const a = document.createElement("td"); a.className = "after"; a.textContent = pct(after, 1);
    a.dataset.value = String(after);
    tr.append(th, b, a);
    body.append(tr);
  }
}
function renderControls() {
  const r = app.cur;
  $("budget-range").value = String(r.budget_sek);
  $("budget-input").value = String(Math.round(r.budget_sek));
  const box = $("changes");
  box.replaceChildren();
  const lists = [["forced", "wb_forced", "wb_release"], ["forbidden", "wb_forbidden", "wb_release"],
                 ["removed_existing", "wb_removed", "wb_restore_cam"]];
  for (const [field, title, action] of lists) {
    const h = document.createElement("div"); h.className = "muted"; h.textContent = t(title);
    box.append(h);
    if (!r[field].length) { const n = document.createElement("div"); n.textContent = t("wb_none"); box.append(n); }
    for (const id of r[field]) {
      const row = document.createElement("div"); row.className = "change";
      const s = document.createElement("span"); s.textContent = id;
      const b = document.createElement("button"); b.type = "button"; b.textContent = t(action);
      b.addEventListener("click", () => toggle(field, id));
      row.append(s, b); box.append(row);
    }
  }
  renderWeightChanges(box);
  renderWeights();
}
function renderWeightChanges(box) {
  const base = app.state.scenario_request.category_weights;
  const changed = Object.entries(app.cur.category_weights).filter(([cat, w]) => w !== base[cat]);
  const h = document.createElement("div"); h.className = "muted"; h.textContent = t("wb_weights_changed");
  box.append(h);
  if (!changed.length) { const n = document.createElement("div"); n.textContent = t("wb_none"); box.append(n); }
  for (const [cat, w] of changed) {
    const row = document.createElement("div"); row.className = "change"; row.dataset.category = cat;
    const s = document.createElement("span"); s.textContent = t("cat_" + cat) + ": " + num(base[cat], 1) + " → " + num(w, 1);
    const b = document.createElement("button"); b.type = "button"; b.textContent = t("wb_restore_weight");
    b.addEventListener("click", () => { const req = copyRequest(app.cur); req.category_weights[cat] = base[cat]; solve(req, true); });
    row.append(s, b); box.append(row);
  }
}
function renderWeights() {
  const box = $("weights");
  box.replaceChildren();
  for (const [cat, w] of Object.entries(app.cur.category_weights)) {
    const row = document.createElement("div"); row.className = "weight";
    const label = document.createElement("label"); label.textContent = t("cat_" + cat);
    const input = document.createElement("input");
    input.type = "range"; input.min = "0"; input.max = "3"; input.step = "0.1"; input.value = String(w);
    input.dataset.category = cat; input.id = "weight-" + cat; label.htmlFor = input.id;
    const out = document.createElement("span"); out.className = "num"; out.textContent = num(w, 1);
    if (!app.state.adjustable_categories.includes(cat)) { input.disabled = true; input.title = t("wb_weight_fixed"); }
    input.addEventListener("input", () => { out.textContent = num(Number(input.value), 1); });
    input.addEventListener("change", () => {
      const req = copyRequest(app.cur); req.category_weights[cat] = Number(input.value); solve(req, true);
    });
    row.append(label, input, out); box.append(row);
  }
}
function renderSites() {
  const body = $("sites").querySelector("tbody");
  body.replaceChildren();
  for (const s of app.plan.sites) {
    const tr = document.createElement("tr"); tr.dataset.site = s.site_id;
    const cells = [String(s.rank), s.street || s.site_id, typeLabel(s.camera_type), num(s.cost_sek),
                   num(s.gain_weight, 3)];
    cells.forEach((c, i) => { const td = document.createElement("td"); td.textContent = c; if (i >= 3) td.className = "num"; tr.append(td); });
    tr.addEventListener("click", () => openSite(s.site_id));
    body.append(tr);
  }
}
function renderHistory() {
  const ol = $("history");
  ol.replaceChildren();
  for (const h of app.history) {
    const li = document.createElement("li"); li.dataset.plan = String(h.plan_id);
    if (app.plan && h.plan_id === app.plan.plan_id) li.className = "current";
    li.textContent = t("wb_plan", {n: h.plan_id}) + ": " + sek(h.request.budget_sek) + ", " +
      pct(h.incident_coverage_after_pct ?? h.coverage_after_pct) + " ";  // the headline: incidents seen
    const b = document.createElement("button"); b.type = "button"; b.textContent = "↺";
    b.addEventListener("click", () => solve(h.request));
    li.append(b); ol.append(li);
  }
  for (const [id, pick] of [["cmp-a", app.history.length - 2], ["cmp-b", app.history.length - 1]]) {
    const sel = $(id); const old = sel.value;
    sel.replaceChildren();
    for (const h of app.history) {
      const o = document.createElement("option"); o.value = String(h.plan_id); o.textContent = t("wb_plan", {n: h.plan_id});
      sel.append(o);
    }
    sel.value = old && app.history.some((h) => String(h.plan_id) === old) ? old :
      String(app.history[Math.max(0, pick)] ? app.history[Math.max(0, pick)].plan_id : "");
  }
  renderCompare();
}
function renderCompare() {
  const a = app.history.find((h) => String(h.plan_id) === $("cmp-a").value);
  const b = app.history.find((h) => String(h.plan_id) === $("cmp-b").value);
  const table = $("compare");
  table.replaceChildren();
  if (!a || !b) return;
  const row = (label, va, vb) => {
    const tr = document.createElement("tr");
    for (const [v, tag] of [[label, "th"], [va, "td"], [vb, "td"]]) { const c = document.createElement(tag); c.textContent = v; tr.append(c); }
    table.append(tr);
  };
  row("", t("wb_plan", {n: a.plan_id}), t("wb_plan", {n: b.plan_id}));
  row(t("wb_budget"), sek(a.request.budget_sek), sek(b.request.budget_sek));
  row(t("wb_spent"), sek(a.spent_sek), sek(b.spent_sek));
  row(t("wb_total") + " (" + t("wb_after") + ")", pct(a.coverage_after_pct), pct(b.coverage_after_pct));
  row(t("kind_incident") + " (" + t("wb_after") + ")", pct(a.incident_coverage_after_pct), pct(b.incident_coverage_after_pct));
  row(t("wb_status"), t("wb_status_" + a.status), t("wb_status_" + b.status));
  const sa = new Set(a.site_ids), sb = new Set(b.site_ids);
  const onlyA = a.site_ids.filter((s) => !sb.has(s)), onlyB = b.site_ids.filter((s) => !sa.has(s));
  row(t("wb_sites_n"), num(a.site_ids.length), num(b.site_ids.length));
  row(t("wb_both"), num(a.site_ids.filter((s) => sb.has(s)).length), "");
  row(t("wb_only_in", {n: a.plan_id}), onlyA.join(", ") || t("wb_none"), "");
  row(t("wb_only_in", {n: b.plan_id}), "", onlyB.join(", ") || t("wb_none"));
}

// -- actions ----------------------------------------------------------------------------------------------------
function toggle(field, id) {
  const req = copyRequest(app.cur);
  const list = req[field];
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1); else list.push(id);
  if (field === "forced") req.forbidden = req.forbidden.filter((x) => x !== id);
  if (field === "forbidden") req.forced = req.forced.filter((x) => x !== id);
  closePopup();
  solve(req);
}
function undo() {
  if (!app.plan) return;
  const i = app.history.findIndex((h) => h.plan_id === app.plan.plan_id);
  if (i > 0) solve(app.history[i - 1].request);
}
async function save() {
  const out = $("save-result");
  out.textContent = t("wb_saving");
  document.body.dataset.saving = "1";
  try {
    const r = await api("/api/export", app.cur);
    out.textContent = t("wb_saved_as", {n: r.number}) + ": " + t("wb_saved", {folder: r.run_folder}) +
      (r.same_sites ? "" : ". " + t("wb_saved_differs", {sites: r.site_ids.join(", ")}));
    out.dataset.folder = r.run_folder;
  } catch (e) {
    out.textContent = t("wb_error") + ": " + e.message;
  } finally {
    delete document.body.dataset.saving;
  }
}

// -- map --------------------------------------------------------------------------------------------------------
function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}
function demandColor(w, max) {
  const f = Math.max(0, Math.min(1, max > 0 ? w / max : 0));
  const a = [254, 217, 118], b = [165, 15, 21];
  const c = a.map((x, i) => Math.round(x + f * (b[i] - x)));
  return "rgb(" + c.join(",") + ")";
}
function drawBase() {
  const m = app.state.map, svg = $("map");
  app.view = [0, 0, m.size[0], m.size[1]];
  svg.replaceChildren();
  const base = el("g", {id: "base"}, svg);
  if (m.water) el("path", {d: m.water, class: "water"}, base);
  if (m.district_lines) el("path", {d: m.district_lines, class: "district"}, base);
  for (const [name, d, main] of m.streets) {
    const p = el("path", {d, class: main ? "street main" : "street"}, base);
    if (name) el("title", {}, p).textContent = name;
  }
  for (const d of m.demand) {
    const p = el("path", {d: d.d, class: d.sup ? "demand sup" : "demand"}, base);
    if (!d.sup) p.setAttribute("stroke", demandColor(d.w, m.demand_max));
    el("title", {}, p).textContent = d.s + (d.sup ? "" : ": " + num(d.n, 1));
  }
  el("path", {d: m.study_area, class: "study"}, base);
  for (const s of m.subareas) el("path", {d: s.d, class: "subarea"}, base);
  for (const [x, y] of m.entrances) el("circle", {cx: x, cy: y, r: 3, class: "entrance", "data-r": 3}, base);
  if (m.incidents) for (const [x, y] of m.incidents) el("circle", {cx: x, cy: y, r: 2, class: "incident", "data-r": 2}, base);
  const views = el("g", {id: "views"}, svg);
  for (const c of app.state.existing_cameras) if (c.vs) el("path", {d: c.vs, class: "view ex", "data-camera": c.camera_id}, views);
  el("g", {id: "new-views"}, svg);
  const cands = el("g", {id: "candidates"}, svg);
  for (const c of app.state.candidates) {
    const dot = el("circle", {cx: c.x, cy: c.y, r: 2.5, class: "cand", "data-site": c.site_id, "data-r": 2.5}, cands);
    dot.addEventListener("click", (ev) => { ev.stopPropagation(); openSite(c.site_id); });
  }
  const ex = el("g", {id: "existing"}, svg);
  for (const c of app.state.existing_cameras) {
    const dot = el("circle", {cx: c.x, cy: c.y, r: 6, class: "existing", "data-camera": c.camera_id, "data-r": 6}, ex);
    dot.addEventListener("click", (ev) => { ev.stopPropagation(); openCamera(c.camera_id); });
  }
  el("g", {id: "sites-layer"}, svg);
  const labels = el("g", {id: "labels"}, svg);
  for (const l of m.map_labels) {
    const txt = el("text", {x: l.x, y: l.y, class: "maplabel", transform: `rotate(${l.a} ${l.x} ${l.y})`,
                            "text-anchor": "middle", "data-fs": l.s}, labels);
    txt.textContent = l.t;
  }
  $("attribution").textContent = (m.attribution || []).join(" · ");
  for (const p of svg.querySelectorAll("path")) p.setAttribute("vector-effect", "non-scaling-stroke");
  setView();
}
function drawPlan() {
  const p = app.plan, req = app.cur;
  const removed = new Set(req.removed_existing), forbidden = new Set(req.forbidden), forced = new Set(req.forced);
  for (const c of document.querySelectorAll("#existing circle")) c.classList.toggle("removed", removed.has(c.dataset.camera));
  for (const v of document.querySelectorAll("#views path")) v.style.display = removed.has(v.dataset.camera) ? "none" : "";
  for (const c of document.querySelectorAll("#candidates circle")) c.classList.toggle("forbidden", forbidden.has(c.dataset.site));
  const views = $("new-views"), layer = $("sites-layer");
  views.replaceChildren(); layer.replaceChildren();
  for (const s of p.sites) {
    if (s.view) el("path", {d: s.view, class: "view new", "vector-effect": "non-scaling-stroke"}, views);
    const g = el("g", {"data-site": s.site_id, class: "site-g"}, layer);
    const c = el("circle", {cx: s.x, cy: s.y, r: 8, class: forced.has(s.site_id) ? "site forced" : "site", "data-r": 8}, g);
    el("title", {}, c).textContent = t("wb_proposed") + " " + s.rank + ": " + (s.street || s.site_id);
    el("text", {x: s.x, y: s.y, class: "ranktext", "data-fs": 11}, g).textContent = String(s.rank);
    g.addEventListener("click", (ev) => { ev.stopPropagation(); openSite(s.site_id); });
  }
  rescale();
}
function unit() {
  const svg = $("map"), r = svg.getBoundingClientRect();
  return Math.max(app.view[2] / Math.max(r.width, 1), app.view[3] / Math.max(r.height, 1));
}
function rescale() {
  const u = unit();
  for (const c of document.querySelectorAll("#map circle[data-r]")) c.setAttribute("r", String(Number(c.dataset.r) * u));
  for (const x of document.querySelectorAll("#map text[data-fs]")) x.style.fontSize = (Number(x.dataset.fs) * u) + "px";
}
function setView() {
  $("map").setAttribute("viewBox", app.view.map((v) => v.toFixed(1)).join(" "));
  rescale();
}
function zoom(f, cx, cy) {
  const [x, y, w, h] = app.view;
  const px = cx === undefined ? x + w / 2 : cx, py = cy === undefined ? y + h / 2 : cy;
  app.view = [px - (px - x) * f, py - (py - y) * f, w * f, h * f];
  setView();
}
function svgPoint(ev) {
  const svg = $("map"), r = svg.getBoundingClientRect(), u = unit();
  const [x, y, w, h] = app.view;
  return [x + w / 2 + (ev.clientX - r.left - r.width / 2) * u, y + h / 2 + (ev.clientY - r.top - r.height / 2) * u];
}
function mapEvents() {
  const svg = $("map");
  svg.addEventListener("wheel", (ev) => { ev.preventDefault(); const [px, py] = svgPoint(ev); zoom(ev.deltaY > 0 ? 1.2 : 1 / 1.2, px, py); },
                       {passive: false});
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => { drag = {x: ev.clientX, y: ev.clientY, v: [...app.view], moved: false}; });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; svg.classList.add("dragging"); }
    if (drag.moved) { const u = unit(); app.view = [drag.v[0] - dx * u, drag.v[1] - dy * u, drag.v[2], drag.v[3]]; setView(); }
  });
  window.addEventListener("pointerup", () => { drag = null; svg.classList.remove("dragging"); });
  $("zoom-in").addEventListener("click", () => zoom(1 / 1.5));
  $("zoom-out").addEventListener("click", () => zoom(1.5));
  window.addEventListener("resize", rescale);
}

// -- popups -----------------------------------------------------------------------------------------------------
function closePopup() { $("popup").hidden = true; }
function popup(title, lines, actions) {
  $("popup-title").textContent = title;
  const text = $("popup-text"); text.replaceChildren();
  for (const l of lines) { const d = document.createElement("div"); d.textContent = l; text.append(d); }
  const box = $("popup-actions"); box.replaceChildren();
  for (const [label, fn, id] of actions) {
    const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.id = id;
    b.addEventListener("click", fn); box.append(b);
  }
  const c = document.createElement("button"); c.type = "button"; c.textContent = t("wb_close");
  c.addEventListener("click", closePopup); box.append(c);
  $("popup").hidden = false;
}
function openSite(id) {
  const s = app.plan.sites.find((x) => x.site_id === id);
  const c = app.state.candidates.find((x) => x.site_id === id);
  const req = app.cur, lines = [];
  if (s) {
    lines.push((s.street || "") + " · " + typeLabel(s.camera_type), t("wb_cost") + ": " + num(s.cost_sek),
               t("wb_gain") + ": " + num(s.gain_weight, 3));
  } else if (c) {
    lines.push((c.street || "") + " · " + c.camera_types.map(typeLabel).join(", "), t("wb_cost") + ": " + num(c.min_cost_sek) + "–");
  }
  const actions = [];
  if (req.forced.includes(id)) actions.push([t("wb_release"), () => toggle("forced", id), "act-release"]);
  else actions.push([t("wb_force"), () => toggle("forced", id), "act-force"]);
  if (req.forbidden.includes(id)) actions.push([t("wb_release"), () => toggle("forbidden", id), "act-allow"]);
  else actions.push([t("wb_forbid"), () => toggle("forbidden", id), "act-forbid"]);
  popup((s ? t("wb_proposed") + " " + s.rank : t("wb_candidate")) + " · " + id, lines, actions);
  for (const r of document.querySelectorAll("#sites tbody tr")) r.classList.toggle("hl", r.dataset.site === id);
}
function openCamera(id) {
  const c = app.state.existing_cameras.find((x) => x.camera_id === id);
  const removed = app.cur.removed_existing.includes(id);
  popup(t("wb_existing") + " · " + id, [c ? c.type : ""],
        [[removed ? t("wb_restore_cam") : t("wb_remove_cam"), () => toggle("removed_existing", id), "act-camera"]]);
}

// -- start ------------------------------------------------------------------------------------------------------
function controls() {
  const b = app.state.budget, range = $("budget-range"), input = $("budget-input");
  for (const e of [range, input]) { e.min = String(b.min_sek); e.max = String(b.max_sek); e.step = String(b.step_sek); }
  range.addEventListener("input", () => { input.value = range.value; const r = copyRequest(app.cur); r.budget_sek = Number(range.value); solveSoon(r); });
  input.addEventListener("change", () => {
    const v = Number(input.value);
    if (!Number.isFinite(v) || v <= 0) { message(t("wb_error") + ": budget_sek", true); return; }
    const r = copyRequest(app.cur); r.budget_sek = v; solve(r, true);
  });
  $("undo").addEventListener("click", undo);
  $("reset").addEventListener("click", () => solve(app.state.scenario_request));
  $("save").addEventListener("click", save);
  $("cmp-a").addEventListener("change", renderCompare);
  $("cmp-b").addEventListener("change", renderCompare);
  $("lang-switch").addEventListener("click", () => {
    app.lang = app.lang === "sv" ? "en" : "sv";
    applyTexts(); renderFigures(); renderControls(); renderSites(); renderHistory(); closePopup();
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closePopup(); });
}
async function start() {
  try {
    app.state = await api("/api/state");
  } catch (e) {
    document.body.textContent = "camsite: " + e.message;
    return;
  }
  app.session = app.state.session;
  app.lang = app.state.scenario.lang === "en" ? "en" : "sv";
  app.history = [...app.state.history];
  $("scenario-title").textContent = app.state.scenario.title || app.state.scenario.name;
  applyTexts(); controls(); mapEvents(); drawBase();
  showPlan(app.state.plan);
  $("map").dataset.ready = "1";
}
start();
