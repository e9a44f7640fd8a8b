// The workspace's "Clearance in bulk" panel: select parcels (a box or a lasso on the map, or a pasted list of
// map_sheet/parcel_no), choose a stage and a date, preview (dry run) and apply through POST /api/clearance/stages,
// one all-or-nothing change (docs/clearance-stages.md, "In the workspace").
//
// Parcels are never loaded as a layer: a box asks the items endpoint for the parcels it touches (bbox), a lasso for
// those its outline touches (CQL2 S_INTERSECTS), a pasted list for its numbers (map_sheet = … AND parcel_no IN (…),
// in chunks); every request has a limit, and a selection holds at most 5,000 parcels, as the API takes.
// The shapes are drawn with plain Leaflet mouse events, not Geoman, so the edit tab's drawing is left alone.
(function () {
  "use strict";

  const W = window.ZoneAtlasWorkspace;
  const $ = (id) => document.getElementById(id);
  if (!W || !$("wc-list")) return;

  const MAX = 5000;  // the API's MAX_PARCELS
  const CHUNK = 200;  // parcel numbers per lookup request (the URL stays short)
  const STAGES = ["notice_issued", "inventoried", "plan_approved", "compensation_paid", "handed_over"];  // dated, in order
  const map = W.map;
  const layer = W.config.layers.find((l) => l.id === "clearance_parcels");
  const items = layer ? layer.items : "/collections/clearance_parcels/items";
  const stageWords = {};
  for (const c of (layer ? layer.legend.classes : [])) stageWords[c.value] = `${c.vi} / ${c.en}`;
  const words = (stage) => stageWords[stage] || stage || "";
  const { escapeHtml, ddmmyyyy } = W;
  const number = (n) => n.toLocaleString("vi-VN");
  const fold = (s) => String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();

  const STYLE = { color: "#08519c", weight: 2, fillColor: "#3182bd", fillOpacity: 0.35 };
  const BAD = { color: "#a50f15", weight: 3, fillColor: "#de2d26", fillOpacity: 0.55 };
  const renderer = L.canvas({ padding: 0.2 });
  const highlights = L.featureGroup().addTo(map);
  const selection = new Map();  // key ("id:12" or "ref:21/52") → {key, id, project_id, map_sheet, parcel_no, stage, ref, note, shape}
  let projects = [];
  let tool = null;  // "box" | "lasso" while choosing an area
  let drag = null;  // {start, points, shape} while the mouse is down
  let swallowClick = false;
  let lastArea = null;  // the area last selected, as GeoJSON (for the browser tests)

  // --- messages ---------------------------------------------------------------------------------------------
  function message(text, isError) {
    const box = $("wc-message");
    box.hidden = !text;
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
  }

  function hint(text) { $("wc-hint").textContent = text || ""; }

  // --- projects ---------------------------------------------------------------------------------------------
  function chosenProject() {
    const uid = $("wc-project").value;
    return projects.find((p) => p.uid === uid) || null;
  }

  function renderProjects() {
    const q = fold($("wc-project-search").value.trim());
    const keep = $("wc-project").value;
    const shown = projects.filter((p) => !q || fold(`${p.name_vi} ${p.name_en}`).includes(q));
    $("wc-project").innerHTML = '<option value="">— Mọi dự án / All projects —</option>' +
      shown.map((p) => `<option value="${escapeHtml(p.uid)}">${escapeHtml(p.name_vi)}` +
        `${p.name_en && p.name_en !== p.name_vi ? ` — ${escapeHtml(p.name_en)}` : ""}</option>`).join("");
    $("wc-project").value = shown.some((p) => p.uid === keep) ? keep : "";
  }

  function loadProjects() {
    const params = new URLSearchParams({ f: "geojson", limit: "10000", properties: "uid,name_vi,name_en" });
    return W.fetchJSON(`/collections/projects/items?${params}`).then((fc) => {
      projects = fc.features.map((f) => ({ id: f.id, ...f.properties }))
        .sort((a, b) => String(a.name_vi).localeCompare(String(b.name_vi), "vi"));
      renderProjects();
    }).catch((error) => message(error.message, true));
  }

  // --- the selection ----------------------------------------------------------------------------------------
  function projectUid(id) {
    const p = projects.find((x) => x.id === id);
    return p ? p.uid : "";
  }

  function addFeatures(features) {
    let added = 0;
    for (const f of features) {
      const key = `id:${f.id}`;
      if (selection.has(key)) continue;
      const shape = f.geometry ? L.geoJSON(f.geometry, { style: STYLE, renderer, interactive: false, pmIgnore: true }) : null;
      if (shape) shape.addTo(highlights);
      selection.set(key, { key, id: f.id, ...f.properties, shape });
      added += 1;
    }
    return added;
  }

  function addRef(ref, note) {
    const key = `ref:${ref}`;
    if (!selection.has(key)) selection.set(key, { key, ref, note });
  }

  function remove(key) {
    const entry = selection.get(key);
    if (!entry) return;
    if (entry.shape) highlights.removeLayer(entry.shape);
    selection.delete(key);
    renderList();
  }

  function clearSelection() {
    highlights.clearLayers();
    selection.clear();
    renderList();
    $("wc-result").innerHTML = "";
    message("");
  }

  function renderList() {
    const rows = [...selection.values()].map((e) => {
      const name = e.id !== undefined ? `${e.map_sheet}/${e.parcel_no}` : e.ref;
      const what = e.id !== undefined
        ? `<span class="wc-stage">${escapeHtml(words(e.stage))}</span> <small>${escapeHtml(projectUid(e.project_id))}</small>`
        : `<span class="wc-note">${escapeHtml(e.note || "")}</span>`;
      return `<li data-key="${escapeHtml(e.key)}"${e.id !== undefined ? ` data-id="${e.id}"` : ""}${e.bad ? ' class="wc-bad"' : ""}>` +
        `<span class="wc-parcel">${escapeHtml(name)}</span> ${what} <button type="button" class="wc-remove" ` +
        `aria-label="Bỏ ${escapeHtml(name)} khỏi danh sách / Remove ${escapeHtml(name)}" title="Bỏ / Remove">×</button></li>`;
    });
    $("wc-list").innerHTML = rows.join("");
    $("wc-count").textContent = number(selection.size);
    $("wc-clear").disabled = selection.size === 0;
  }

  function tooMany(more) {
    const text = `Tối đa ${number(MAX)} thửa mỗi lần; lựa chọn này sẽ có ${number(more)} thửa. Hãy chọn vùng nhỏ hơn hoặc ` +
      `áp dụng từng phần / At most ${MAX.toLocaleString("en")} parcels at a time; this would make ` +
      `${more.toLocaleString("en")}. Select a smaller area, or apply in parts.`;
    message(text, true);
  }

  function addFound(fc, what) {
    const fresh = fc.features.filter((f) => !selection.has(`id:${f.id}`));
    if (fc.features.length > MAX || selection.size + fresh.length > MAX) {
      tooMany(fc.features.length > MAX ? fc.features.length : selection.size + fresh.length);
      return;
    }
    const added = addFeatures(fresh);
    renderList();
    message(`${what}: thêm ${number(added)} thửa / added ${added} parcel(s)` +
      `${fc.features.length === 0 ? " — không có thửa nào ở đây / no parcel here" : ""}`, false);
  }

  function select(params, what) {
    const project = chosenProject();
    params.set("f", "geojson");
    params.set("properties", "project_id,map_sheet,parcel_no,stage");
    if (project) params.set("project_id", String(project.id));
    const probe = new URLSearchParams(params);  // how many first: an area of 100,000 parcels is refused unread
    probe.set("limit", "1");
    params.set("limit", String(MAX + 1));
    message("Đang tìm các thửa… / Finding the parcels…");
    return W.fetchJSON(`${items}?${probe}`).then((counted) => {
      if (counted.numberMatched > MAX) { tooMany(selection.size + counted.numberMatched); return null; }
      return W.fetchJSON(`${items}?${params}`).then((fc) => addFound(fc, what));
    }).catch((error) => message(error.message, true));
  }

  // --- box and lasso ----------------------------------------------------------------------------------------
  function setTool(name) {
    tool = tool === name ? null : name;
    for (const [id, t] of [["wc-box", "box"], ["wc-lasso", "lasso"]]) $(id).setAttribute("aria-pressed", String(tool === t));
    map.getContainer().classList.toggle("wc-selecting", Boolean(tool));
    if (tool) {
      map.dragging.disable();
      map.doubleClickZoom.disable();
      hint(tool === "box"
        ? "Kéo chuột trên bản đồ để vẽ khung; Esc để hủy / Drag on the map to draw the box; Esc cancels"
        : "Giữ chuột và khoanh quanh các thửa; Esc để hủy / Hold the mouse button and draw around the parcels; Esc cancels");
    } else {
      map.dragging.enable();
      map.doubleClickZoom.enable();
      hint("");
    }
  }

  function stopDrag() {
    if (drag && drag.shape) map.removeLayer(drag.shape);
    drag = null;
  }

  map.on("mousedown", (event) => {
    if (!tool) return;
    drag = { start: event.latlng, points: [event.latlng], pixel: event.containerPoint, shape: null };
  });

  map.on("mousemove", (event) => {
    if (!drag) return;
    if (tool === "box") {
      const bounds = L.latLngBounds(drag.start, event.latlng);
      if (drag.shape) drag.shape.setBounds(bounds);
      else drag.shape = L.rectangle(bounds, { ...STYLE, dashArray: "4 3", interactive: false, pmIgnore: true }).addTo(map);
    } else {
      const last = map.latLngToContainerPoint(drag.points[drag.points.length - 1]);
      if (last.distanceTo(event.containerPoint) < 4) return;
      drag.points.push(event.latlng);
      if (drag.shape) drag.shape.setLatLngs(drag.points);
      else drag.shape = L.polyline(drag.points, { ...STYLE, dashArray: "4 3", interactive: false, pmIgnore: true }).addTo(map);
    }
  });

  map.on("mouseup", (event) => {
    if (!drag) return;
    const done = drag;
    const name = tool;
    stopDrag();
    setTool(null);
    swallowClick = true;  // the click that ends the drag is not a click on a feature (the edit tab's handler)
    window.setTimeout(() => { swallowClick = false; }, 400);
    if (name === "box") {
      if (done.pixel.distanceTo(event.containerPoint) < 4) return;
      finishBox(L.latLngBounds(done.start, event.latlng));
    } else {
      done.points.push(event.latlng);
      finishLasso(done.points);
    }
  });

  // Clicks while choosing an area belong to the tool, not to the edit tab's "open the feature under the click".
  map.getContainer().addEventListener("click", (event) => {
    if (tool || swallowClick) {
      swallowClick = false;
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && tool) { stopDrag(); setTool(null); }
  });

  const fixed = (v) => v.toFixed(7);

  function finishBox(bounds) {
    const [w, s, e, n] = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(fixed);
    lastArea = { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]].map((p) => p.map(Number))] };
    return select(new URLSearchParams({ bbox: [w, s, e, n].join(",") }), "Khung / Box");
  }

  function finishLasso(points) {
    const step = Math.max(1, Math.ceil(points.length / 200));  // a short filter: at most ~200 corners
    const ring = points.filter((_, i) => i % step === 0).map((p) => [Number(fixed(p.lng)), Number(fixed(p.lat))]);
    if (ring.length < 3) {
      message("Hãy khoanh một vùng lớn hơn / Draw around a larger area", true);
      return Promise.resolve();
    }
    ring.push(ring[0]);
    lastArea = { type: "Polygon", coordinates: [ring] };
    const bounds = L.latLngBounds(ring.map(([x, y]) => [y, x]));
    const wkt = ring.map(([x, y]) => `${x} ${y}`).join(", ");
    const params = new URLSearchParams({
      bbox: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(fixed).join(","),
      filter: `S_INTERSECTS(geom, POLYGON((${wkt})))`,
    });
    return select(params, "Khoanh / Lasso");
  }

  // --- a pasted list ----------------------------------------------------------------------------------------
  function parseRef(ref) {
    const match = /^(?:([^:/]+):)?([^/]+)\/([^/]+)$/.exec(ref);
    if (!match) return null;
    return { uid: match[1] ? match[1].trim() : null, sheet: match[2].trim(), parcel: match[3].trim() };
  }

  const quoted = (v) => `'${String(v).replace(/'/g, "''")}'`;

  function lookup(projectId, sheet, parcels) {
    const params = new URLSearchParams({
      f: "geojson", limit: String(MAX + 1), properties: "project_id,map_sheet,parcel_no,stage",
      filter: `map_sheet = ${quoted(sheet)} AND parcel_no IN (${parcels.map(quoted).join(", ")})`,
    });
    if (projectId !== null) params.set("project_id", String(projectId));
    return W.fetchJSON(`${items}?${params}`).then((fc) => fc.features);
  }

  function addPasted() {
    const refs = [...new Set($("wc-paste").value.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean))];
    if (!refs.length) { message("Hãy dán ít nhất một tờ/thửa / Paste at least one map_sheet/parcel_no", true); return Promise.resolve(); }
    if (selection.size + refs.length > MAX) { tooMany(selection.size + refs.length); return Promise.resolve(); }
    const chosen = chosenProject();
    const groups = new Map();  // "projectId|sheet" → {projectId, sheet, refs: [{ref, parcel}]}
    const unresolved = [];
    for (const ref of refs) {
      const parts = parseRef(ref);
      const project = parts && parts.uid ? projects.find((p) => p.uid === parts.uid) : chosen;
      if (!parts || (parts.uid && !project)) {
        unresolved.push([ref, parts ? "không có dự án này / no such project" : "không phải tờ/thửa / not map_sheet/parcel_no"]);
        continue;
      }
      const projectId = project ? project.id : null;
      const key = `${projectId}|${parts.sheet}`;
      if (!groups.has(key)) groups.set(key, { projectId, sheet: parts.sheet, refs: [] });
      groups.get(key).refs.push({ ref, parcel: parts.parcel });
    }
    const requests = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.refs.length; i += CHUNK) {
        const part = group.refs.slice(i, i + CHUNK);
        requests.push(lookup(group.projectId, group.sheet, [...new Set(part.map((r) => r.parcel))]).then((features) => {
          for (const { ref, parcel } of part) {
            const found = features.filter((f) => f.properties.parcel_no === parcel);
            if (found.length === 1) addFeatures(found);
            else addRef(ref, found.length ? "nhiều dự án có thửa này: hãy chọn dự án / several projects have this parcel: choose the project"
              : "không tìm thấy / not found");
          }
        }));
      }
    }
    message("Đang tìm các thửa… / Finding the parcels…");
    return Promise.all(requests).then(() => {
      for (const [ref, note] of unresolved) addRef(ref, note);
      renderList();
      const missing = [...selection.values()].filter((e) => e.id === undefined).length;
      message(`Danh sách có ${number(selection.size)} thửa / The list has ${selection.size} parcel(s)` +
        (missing ? `; ${number(missing)} không xác định được (xem danh sách) / ${missing} not identified (see the list)` : ""),
        missing > 0);
      if (!missing) $("wc-paste").value = "";
      if (highlights.getLayers().length) map.fitBounds(highlights.getBounds(), { maxZoom: 18, padding: [20, 20] });
    }).catch((error) => message(error.message, true));
  }

  // --- preview and apply ------------------------------------------------------------------------------------
  function clearBad() {
    for (const entry of selection.values()) {
      if (entry.bad && entry.shape) entry.shape.setStyle(STYLE);
      entry.bad = false;
    }
  }

  function request(dryRun) {
    clearBad();
    renderList();
    $("wc-result").innerHTML = "";
    const stage = $("wc-stage").value;
    const date = $("wc-date").value;
    const problems = [];
    if (!selection.size) problems.push("Chưa chọn thửa nào / No parcel selected");
    if (!stage) problems.push("Hãy chọn bước / Choose the stage");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) problems.push("Hãy chọn ngày / Choose the date");
    if (problems.length) { message(problems.join("; "), true); return Promise.resolve(); }
    const n = selection.size;
    if (!dryRun && !window.confirm(`Ghi “${words(stage)}” ngày ${ddmmyyyy(date)} cho ${number(n)} thửa? Tất cả hoặc không ` +
      `thửa nào được ghi. / Record “${words(stage)}” on ${ddmmyyyy(date)} for ${n} parcel(s)? All or none are written.`)) {
      return Promise.resolve();
    }
    const body = { stage, date, parcels: [...selection.values()].map((e) => (e.id !== undefined ? e.id : e.ref)), dry_run: dryRun };
    const project = chosenProject();
    if (project) body.project = project.uid;
    message(dryRun ? "Đang kiểm tra… / Checking…" : "Đang ghi… / Writing…");
    for (const id of ["wc-preview", "wc-apply"]) $(id).disabled = true;
    return W.fetchJSON("/api/clearance/stages", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).then(showAnswer).catch(showRefusal).finally(() => {
      for (const id of ["wc-preview", "wc-apply"]) $(id).disabled = false;
    });
  }

  function showAnswer(answer) {
    const stage = words(answer.stage);
    const rows = answer.changes.map((c) => `<tr><td>${escapeHtml(c.parcel)}</td><td>${escapeHtml(c.project)}</td>` +
      `<td>${ddmmyyyy(c.old) || "—"} → ${ddmmyyyy(c.new)}</td><td>${escapeHtml(words(c.stage_before))} → ` +
      `${escapeHtml(words(c.stage_after))}</td></tr>`);
    const table = rows.length ? `<table class="wc-changes"><thead><tr><th>Tờ/thửa / Parcel</th><th>Dự án / Project</th>` +
      `<th>Ngày / Date</th><th>Bước / Stage</th></tr></thead><tbody>${rows.join("")}</tbody></table>` : "";
    const same = answer.unchanged ? ` ${number(answer.unchanged)} thửa đã có ngày này / ${answer.unchanged} already have this date.` : "";
    if (answer.dry_run) {
      message(`Xem trước: ${number(answer.changed)} thửa sẽ được ghi “${stage}” ngày ${ddmmyyyy(answer.date)}; chưa ghi gì. ` +
        `/ Preview: ${answer.changed} parcel(s) would change; nothing is written yet.${same}`, false);
    } else {
      message(`Đã ghi: ${number(answer.changed)} thửa có “${stage}” ngày ${ddmmyyyy(answer.date)} / ` +
        `Done: ${answer.changed} parcel(s) changed.${same}`, false);
      for (const c of answer.changes) {
        const entry = selection.get(`id:${c.id}`);
        if (entry) entry.stage = c.stage_after;
      }
      renderList();
      W.refresh("clearance_parcels");
    }
    $("wc-result").innerHTML = table;
  }

  function showRefusal(error) {
    const details = error.body && error.body.details;
    const named = details && Array.isArray(details.parcels) ? details.parcels : [];
    if (!named.length) { message(error.message, true); return; }
    for (const p of named) {
      const entry = selection.get(`id:${p.id}`) || selection.get(`ref:${p.ref}`) ||
        (typeof p.ref === "number" ? selection.get(`id:${p.ref}`) : null);
      if (!entry) continue;
      entry.bad = true;
      if (entry.shape) entry.shape.setStyle(BAD).bringToFront();
    }
    renderList();
    const more = details.count > named.length ? `<p>… và ${number(details.count - named.length)} thửa khác / and ` +
      `${details.count - named.length} more</p>` : "";
    $("wc-result").innerHTML = `<p class="wc-refused">Không ghi gì: các thửa sau không hợp lệ / Nothing was written: these ` +
      `parcels are refused (${number(details.count)})</p><ul class="wc-problems">` +
      named.map((p) => `<li><strong>${escapeHtml(p.parcel || p.ref)}</strong>${p.project ? ` (${escapeHtml(p.project)})` : ""}: ` +
        `${escapeHtml(p.reason)}</li>`).join("") + `</ul>${more}`;
    message(error.message, true);
    const bad = named.map((p) => selection.get(`id:${p.id}`)).filter((e) => e && e.shape);
    if (bad.length) map.fitBounds(L.featureGroup(bad.map((e) => e.shape)).getBounds(), { maxZoom: 18, padding: [40, 40] });
  }

  // --- the page ---------------------------------------------------------------------------------------------
  $("wc-stage").innerHTML = '<option value="">— Chọn bước / Choose the stage —</option>' +
    STAGES.map((s) => `<option value="${s}">${escapeHtml(words(s))}</option>`).join("");
  $("wc-date").addEventListener("input", () => { $("wc-date-shown").textContent = ddmmyyyy($("wc-date").value); });
  $("wc-project-search").addEventListener("input", renderProjects);
  $("wc-box").addEventListener("click", () => setTool("box"));
  $("wc-lasso").addEventListener("click", () => setTool("lasso"));
  $("wc-add").addEventListener("click", addPasted);
  $("wc-clear").addEventListener("click", clearSelection);
  $("wc-preview").addEventListener("click", () => request(true));
  $("wc-apply").addEventListener("click", () => request(false));
  $("wc-list").addEventListener("click", (event) => {
    const button = event.target.closest(".wc-remove");
    if (button) remove(button.closest("li").dataset.key);
  });
  const tab = document.querySelector('.ws-tabs [data-tab="ws-clearance"]');
  if (tab) {
    tab.addEventListener("click", () => {  // show the parcels coloured by stage, unless a feature is being edited
      if (layer && !W.selected() && !W.state.mode && $("ws-layer").value !== layer.id) W.showLayer(layer.id);
    });
  }
  loadProjects();
  renderList();

  window.ZoneAtlasClearance = {  // for the browser tests and people debugging
    selection: () => [...selection.values()].map(({ shape, ...entry }) => entry),
    lastArea: () => lastArea,
  };
})();
