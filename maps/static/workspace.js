// The workspace (/workspace): editors edit a feature's fields, draw, reshape, split and merge on the map.
//
// Features are never embedded in the page: the chosen layer is drawn from its vector tiles, a click asks the
// items endpoint for the one feature under it (with its ETag), and snapping loads the neighbours in view as GeoJSON
// items with a limit. Every save goes through the API: the OGC editing routes (POST/PATCH with If-Match and the
// Decision header) and /api/workspace/{layer}/split|merge, so the validation and messages are the API's own.
//
// Later panels (clearance, spreadsheets, decisions) use what this script exposes:
//   window.ZoneAtlasWorkspace = {
//     map,                 the Leaflet map
//     config,              the page's configuration (editable layers and their fields; a field's `choices` are
//                          resolved from config.vocabularies; a `reference` field names a row of another layer;
//                          sheet_layers: map-less layers the Spreadsheets tab updates, by name and template_filters)
//     layers,              {layerId: the vector-tile layer drawn for it, once shown}
//     fetchJSON(url, opt), fetch with the session cookie; rejects with the API's description on 4xx/5xx
//     refresh(layerId),    redraw a layer's tiles after a write (revalidated with their ETags)
//     decisions(),         a promise of the registered decisions (GET /api/decisions), fetched once
//     reloadDecisions(),   fetch that list again (after the Decisions panel saved one) and refresh the form's picker
//     open(layerId, id),   open a feature in the edit form
//     selected(),          {layer, id, etag, feature} of the feature in the form, or null
//     showLayer(layerId),  choose the layer being edited
//     message(text, isError)  show a line in the panel's status
//     escapeHtml(value), ddmmyyyy(isoDate)  the text helpers every panel uses
//   }
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("ws-config").textContent);
  // A closed vocabulary is embedded once (config.vocabularies) and named by its fields: give each field its choices.
  for (const layer of [...config.layers, ...(config.sheet_layers || [])]) {
    for (const field of layer.fields) if (field.vocabulary) field.choices = config.vocabularies[field.vocabulary];
  }
  const $ = (id) => document.getElementById(id);
  const layerOf = (id) => config.layers.find((l) => l.id === id);
  const escapeHtml = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
  // Text compared as people type it: case and Vietnamese diacritics do not matter (đ = d), like /api/search.
  const fold = (text) => String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d").toLowerCase();
  const ddmmyyyy = (iso) => (iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10).split("-").reverse().join("/") : "");

  const map = L.map("ws-map", { minZoom: 4, maxZoom: 20 });
  map.fitBounds([[8.4, 102.1], [23.4, 109.5]]);
  window.ZoneAtlasBase.addBase(map);  // land, borders, coast: the map reads as a map with no basemap
  const tiles = {};
  const state = { layer: null, selected: null, drawn: null, mode: null, marks: L.layerGroup().addTo(map) };
  // Names: gates, ports and logistics centres always, and the features of the layer being edited (in Vietnamese,
  // the language this page leads with).
  const labels = window.ZoneAtlasBase.addLabels(map, {
    layers: () => (state.layer && config.labelled.includes(state.layer.id)
      && map.getZoom() >= state.layer.min_zoom ? [state.layer.id] : []),
    reference: ["border_gates", "transport_nodes", "logistics_centres"],
    lang: () => "vi",
    datetime: () => "",
  });
  let snapLayer = null;
  let decisionList = null;

  // --- fetching ---------------------------------------------------------------------------------------------
  function apiError(response) {
    return response.json().catch(() => ({})).then((body) => {
      const error = new Error(body.description || body.detail || `HTTP ${response.status}`);
      error.status = response.status;
      error.body = body;
      throw error;
    });
  }

  function fetchJSON(url, options) {
    const opts = { credentials: "same-origin", ...(options || {}) };
    opts.headers = { Accept: "application/json", ...((options || {}).headers || {}) };
    return fetch(url, opts).then((r) => (r.ok ? (r.status === 204 ? null : r.json()) : apiError(r)));
  }

  function decisions() {
    if (!decisionList) decisionList = fetchJSON("/api/decisions").then((body) => body.decisions || []);
    return decisionList;
  }

  function reloadDecisions() {
    decisionList = null;
    if (state.layer && state.layer.versioned && !$("ws-form").hidden) fillDecisions();
    return decisions();
  }

  function message(text, isError) {
    const box = $("ws-message");
    box.hidden = !text;
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
  }

  // --- the layer being edited -------------------------------------------------------------------------------
  function style(layer) {
    return (props) => {
      const legend = layer.legend;
      const match = legend.by_field && legend.classes.find((c) => c.value === props[legend.by_field]);
      const fill = match ? match.colour : legend.fill;
      if (legend.outline) return { color: fill, weight: 2, fillColor: fill, fillOpacity: 0.05, fill: true, radius: 5 };
      return { color: legend.stroke, weight: 1, fillColor: fill, fillOpacity: legend.fill_opacity, fill: true, radius: 5 };
    };
  }

  function tileLayer(layer) {
    const styles = {};
    styles[layer.id] = style(layer);
    return L.vectorGrid.protobuf(layer.tiles, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: false,  // a click asks the items endpoint what lies under it (one feature, never a layer)
      minZoom: layer.min_zoom,
      maxNativeZoom: 18,
      fetchOptions: { credentials: "same-origin", cache: "no-cache" },  // revalidated by ETag: a write shows at once
      pmIgnore: true,
    });
  }

  function showLayer(id) {
    const layer = layerOf(id);
    if (!layer) return;
    for (const [other, grid] of Object.entries(tiles)) if (other !== id) map.removeLayer(grid);
    if (!tiles[id]) tiles[id] = tileLayer(layer);
    tiles[id].addTo(map);
    state.layer = layer;
    $("ws-layer").value = id;
    const polygons = (layer.geometry_type || "").includes("Polygon");
    $("ws-split").hidden = !layer.splittable;
    $("ws-merge").hidden = !layer.splittable;
    $("ws-draw").textContent = polygons ? "Vẽ mới / Draw new" : "Đặt mới / Place new";
    hint(map.getZoom() < layer.min_zoom
      ? `Phóng to đến mức ${layer.min_zoom} để thấy lớp này / Zoom in to level ${layer.min_zoom} to see this layer` : "");
    if (labels) labels.refresh();
  }

  function refresh(id) {  // only a grid on the map at a zoom it is drawn at (below its min zoom the server says 400)
    const grid = tiles[id || (state.layer && state.layer.id)];
    if (grid && map.hasLayer(grid) && map.getZoom() >= (grid.options.minZoom || 0)) grid.redraw();
  }

  function hint(text) { $("ws-hint").textContent = text || ""; }

  // --- finding and opening a feature ------------------------------------------------------------------------
  function featureAt(layer, latlng) {
    const params = new URLSearchParams({ f: "geojson", limit: "1" });
    if ((layer.geometry_type || "").includes("Polygon")) {
      params.set("filter", `S_INTERSECTS(geom, POINT(${latlng.lng.toFixed(7)} ${latlng.lat.toFixed(7)}))`);
    } else {  // points and lines: whatever lies within a few pixels of the click
      const p = map.latLngToContainerPoint(latlng);
      const a = map.containerPointToLatLng([p.x - 6, p.y + 6]);
      const b = map.containerPointToLatLng([p.x + 6, p.y - 6]);
      params.set("bbox", [a.lng, a.lat, b.lng, b.lat].map((v) => v.toFixed(7)).join(","));
    }
    return fetchJSON(`${layer.items}?${params}`).then((fc) => (fc.features[0] ? fc.features[0].id : null));
  }

  function readFeature(layer, id) {
    const url = `${layer.items}/${encodeURIComponent(id)}?f=geojson`;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } }).then((r) => {
      if (!r.ok) return apiError(r);
      return r.json().then((feature) => ({ layer, id: feature.id, etag: r.headers.get("ETag"), feature }));
    });
  }

  function outline(geometry, editable) {
    const group = L.geoJSON(geometry, {
      style: { color: "#e6550d", weight: 3, fillOpacity: 0.1 },
      pointToLayer: (f, latlng) => L.marker(latlng),
      pmIgnore: !editable,
    });
    const layers = group.getLayers();
    return layers.length === 1 ? layers[0] : group;
  }

  function open(layerId, id) {
    const layer = layerOf(layerId);
    if (!layer) return Promise.reject(new Error(`no editable layer ${layerId}`));
    if (state.layer !== layer) showLayer(layerId);
    cancelDrawing();
    return readFeature(layer, id).then((selected) => {
      state.selected = selected;
      if (selected.feature.geometry) {
        state.drawn = outline(selected.feature.geometry, true).addTo(map);
        state.original = selected.feature.geometry;
      }
      fillForm(layer, selected.feature.properties, false);
      $("ws-reshape").disabled = !selected.feature.geometry;
      $("ws-split").disabled = false;
      $("ws-merge").disabled = false;
      return selected;
    }).catch((error) => { message(error.message, true); throw error; });
  }

  // --- the form ---------------------------------------------------------------------------------------------
  function fieldInput(field, value) {
    const id = `ws-f-${field.name}`;
    const req = field.required ? ' required aria-required="true"' : "";
    if (field.reference) {  // a row of another layer (a project, a decision): searched on demand, never embedded
      return `<input id="${id}-search" type="search" autocomplete="off" aria-label="${escapeHtml(field.vi)}: tìm / search" ` +
        `placeholder="Gõ một phần tên để tìm / Type part of the name to search">` +
        `<select id="${id}" name="${field.name}" size="4"${req}></select>`;
    }
    if (field.choices) {
      const empty = field.required ? "" : '<option value="">—</option>';
      const options = field.choices.map((c) => `<option value="${escapeHtml(c.value)}"` +
        `${String(c.value) === String(value ?? "") ? " selected" : ""}>${escapeHtml(c.vi)} / ${escapeHtml(c.en)}</option>`);
      return `<select id="${id}" name="${field.name}"${req}>${empty}${options.join("")}</select>`;
    }
    if (field.type === "boolean") {
      const opt = (v, label) => `<option value="${v}"${String(value) === v ? " selected" : ""}>${label}</option>`;
      return `<select id="${id}" name="${field.name}"${req}><option value="">—</option>` +
        `${opt("true", "Có / Yes")}${opt("false", "Không / No")}</select>`;
    }
    if (field.type === "date") {
      return `<input id="${id}" name="${field.name}" type="date" lang="vi" value="${escapeHtml(value || "")}"${req}>` +
        `<small class="ws-date" data-date-for="${field.name}">${ddmmyyyy(value)}</small>`;
    }
    const type = field.type === "text" ? "text" : "number";
    const step = field.type === "number" ? ' step="any"' : "";
    const max = field.max_length ? ` maxlength="${field.max_length}"` : "";
    return `<input id="${id}" name="${field.name}" type="${type}"${step}${max} value="${escapeHtml(value ?? "")}"${req}>`;
  }

  function fillForm(layer, props, isNew) {
    const form = $("ws-form");
    form.hidden = false;
    $("ws-empty").hidden = true;
    clearErrors();
    message("");
    const name = props.name_vi || props.code || props.parcel_no || props.uid || "";
    $("ws-form-title").textContent = isNew ? `${layer.title_vi} mới / New ${layer.title_en.toLowerCase()}`
      : `${layer.title_vi} / ${layer.title_en}: ${name}`;
    $("ws-version-note").hidden = !layer.versioned || isNew;
    $("ws-decision-box").hidden = !layer.versioned;
    $("ws-fields").innerHTML = layer.fields.map((f) =>
      `<div class="ws-field"><label for="ws-f-${f.name}">${escapeHtml(f.vi)} / ${escapeHtml(f.en)}` +
      `${f.required ? ' <span class="req" title="Bắt buộc / Required">*</span>' : ""}</label>` +
      `${fieldInput(f, props[f.name])}<div class="ws-error" data-error-for="${f.name}"></div></div>`).join("");
    for (const input of form.querySelectorAll("input[type=date]")) {
      input.addEventListener("input", () => {  // as typed, not on blur: the form must not move under a click
        form.querySelector(`[data-date-for="${input.name}"]`).textContent = ddmmyyyy(input.value);
      });
    }
    for (const field of layer.fields) if (field.reference) referencePicker(field, props[field.name]);
    state.isNew = isNew;
    state.initial = formValues(layer);
    if (layer.versioned) fillDecisions();
  }

  // --- fields naming a row of another layer: the current row in words, others found by typing ---------------
  function decisionWords(d) {
    return `${d.number} — ${d.title_vi || d.title_en || ""} (${ddmmyyyy(d.date_effective || d.date_signed)})`;
  }

  function referenceName(ref, value) {  // the one row the field names now, as a person reads it
    if (ref.layer === "decisions") {
      return decisions().then((list) => {
        const found = list.find((d) => String(d[ref.key]) === String(value));
        return found ? decisionWords(found) : `#${value}`;
      });
    }
    const items = `/collections/${encodeURIComponent(ref.layer)}/items`;
    const url = ref.key === "id" ? `${items}/${encodeURIComponent(value)}?f=json`
      : `${items}?${new URLSearchParams({ f: "json", limit: "1", [ref.key]: String(value) })}`;
    return fetchJSON(url).then((body) => {
      const feature = body.features ? body.features[0] : body;
      return feature ? String(feature.properties[ref.show] ?? `#${value}`) : `#${value}`;
    });
  }

  function referenceMatches(ref, text) {  // at most 20 rows whose name holds the text, as [{value, words}]
    if (ref.layer === "decisions") {
      const q = fold(text);
      return decisions().then((list) => [...list].reverse()
        .filter((d) => fold(`${d.number} ${d.title_vi || ""} ${d.title_en || ""}`).includes(q)).slice(0, 20)
        .map((d) => ({ value: String(d[ref.key]), words: decisionWords(d) })));
    }
    const params = new URLSearchParams({ q: text, layer: ref.layer, limit: "20" });
    return fetchJSON(`/api/search?${params}`).then((body) => body.hits.map((h) => ({
      value: String(h[ref.key]), words: `${h[ref.show] || h.name_vi}${h.context ? ` (${h.context})` : ""}`,
    })));
  }

  function referencePicker(field, value) {
    const select = $(`ws-f-${field.name}`);
    const search = $(`ws-f-${field.name}-search`);
    const empty = { value: "", words: "— (trống / none)" };
    const current = value === null || value === undefined || value === "" ? empty : { value: String(value), words: "…" };
    let chosen = current;
    let generation = 0;
    let timer = null;
    const show = (rows) => {
      const others = rows.filter((r) => r.value !== chosen.value);
      const list = [chosen, ...others, ...(field.required || chosen === empty ? [] : [empty])];
      select.innerHTML = list.map((r) => `<option value="${escapeHtml(r.value)}">${escapeHtml(r.words)}</option>`).join("");
      select.value = chosen.value;
    };
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      chosen = option && option.value ? { value: option.value, words: option.textContent } : empty;
    });
    search.addEventListener("input", () => {
      clearTimeout(timer);
      const text = search.value.trim();
      const mine = ++generation;
      if (text.length < 2) { show([]); return; }  // the search API needs two characters
      timer = setTimeout(() => referenceMatches(field.reference, text).then((rows) => {
        if (mine === generation) show(rows);
      }).catch((error) => message(error.message, true)), 250);
    });
    show([]);
    if (current === empty) return;
    referenceName(field.reference, value).then((words) => {
      if (!select.isConnected) return;
      current.words = words;  // the field's value in words, never its raw id
      if (chosen === current) show([]);
      else select.querySelector(`option[value="${CSS.escape(current.value)}"]`)?.replaceChildren(words);
    }).catch((error) => message(error.message, true));
  }

  function fillDecisions() {
    const select = $("ws-decision");
    const search = $("ws-decision-search");
    decisions().then((list) => {
      const render = () => {
        const q = search.value.trim().toLowerCase();
        const keep = select.value;
        const shown = [...list].reverse().filter((d) => !q ||
          `${d.number} ${d.title_vi || ""} ${d.title_en || ""}`.toLowerCase().includes(q));
        select.innerHTML = shown.map((d) => `<option value="${escapeHtml(d.number)}">${escapeHtml(d.number)} — ` +
          `${escapeHtml(d.title_vi || d.title_en || "")} (${ddmmyyyy(d.date_effective || d.date_signed)})</option>`).join("");
        if (keep && shown.some((d) => d.number === keep)) select.value = keep;
      };
      search.oninput = render;
      render();
    }).catch((error) => message(error.message, true));
  }

  function formValues(layer) {
    const values = {};
    for (const field of layer.fields) {
      const input = document.getElementById(`ws-f-${field.name}`);
      if (!input) continue;
      const raw = input.value.trim();
      if (raw === "") values[field.name] = null;
      else if (field.type === "boolean") values[field.name] = raw === "true";
      else if (field.type === "integer" || (field.type === "number" && !field.choices)) values[field.name] = Number(raw);
      else if (field.choices && typeof field.choices[0].value === "number") values[field.name] = Number(raw);
      else values[field.name] = raw;
    }
    return values;
  }

  function clearErrors() {
    for (const el of document.querySelectorAll(".ws-error")) el.textContent = "";
    state.marks.clearLayers();
  }

  function showError(error) {
    const text = error.message;
    const fields = state.layer ? state.layer.fields.map((f) => f.name) : [];
    const named = fields.find((f) => text.includes(`'${f}'`)) ||
      (/geometry|self-intersection|ring|polygon|outline/i.test(text) ? "geometry" : null) ||
      (/decision/i.test(text) ? "decision" : null);
    const slot = named && document.querySelector(`[data-error-for="${named}"]`);
    (slot || $("ws-form-error")).textContent = text;
    const at = /\[(-?[\d.]+)[ ,]+(-?[\d.]+)\]/.exec(text);  // GEOS names where a shape is invalid: [lon lat]
    if (at) markProblem(L.latLng(Number(at[2]), Number(at[1])), text);
    message(text, true);
  }

  function markProblem(latlng, text) {
    L.circleMarker(latlng, { radius: 9, color: "#a50f15", weight: 3, fillOpacity: 0.3, pmIgnore: true })
      .bindTooltip(text, { permanent: true, direction: "top", className: "ws-problem" })
      .addTo(state.marks);
  }

  function chosenDecision() {
    const value = $("ws-decision").value;
    if (state.layer.versioned && !value) {
      const error = new Error("Hãy chọn quyết định / Choose the decision the change is made under");
      document.querySelector('[data-error-for="decision"]').textContent = error.message;
      throw error;
    }
    return value || null;
  }

  // --- geometry checks before saving ------------------------------------------------------------------------
  function segmentsCross(p1, p2, p3, p4) {
    const d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0]);
    if (d === 0) return null;
    const t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d;
    const u = ((p3[0] - p1[0]) * (p2[1] - p1[1]) - (p3[1] - p1[1]) * (p2[0] - p1[0])) / d;
    if (t <= 0 || t >= 1 || u <= 0 || u >= 1) return null;
    return [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])];
  }

  function selfIntersection(geometry) {
    const rings = geometry.type === "Polygon" ? geometry.coordinates
      : geometry.type === "MultiPolygon" ? geometry.coordinates.flat() : [];
    for (const ring of rings) {
      if (ring.length < 4) return { reason: "Cần ít nhất 3 đỉnh / An outline needs at least 3 corners", at: ring[0] };
      const n = ring.length - 1;
      for (let i = 0; i < n; i += 1) {
        for (let j = i + 2; j < n; j += 1) {
          if (i === 0 && j === n - 1) continue;  // the closing segment meets the first one
          const at = segmentsCross(ring[i], ring[i + 1], ring[j], ring[j + 1]);
          if (at) return { reason: "Đường viền tự cắt / The outline crosses itself", at };
        }
      }
    }
    return null;
  }

  function geometryOf(layer) {
    if (!layer) return null;
    const geojson = layer.toGeoJSON();
    const g = geojson.type === "FeatureCollection" ? geojson.features[0].geometry : geojson.geometry;
    const type = state.layer.geometry_type || "";
    if (type.startsWith("Multi") && !g.type.startsWith("Multi")) return { type: `Multi${g.type}`, coordinates: [g.coordinates] };
    return g;
  }

  function checkShape(geometry) {
    const problem = geometry && selfIntersection(geometry);
    if (!problem) return true;
    const error = new Error(`${problem.reason} — ${problem.at[1].toFixed(6)}, ${problem.at[0].toFixed(6)}`);
    document.querySelector('[data-error-for="geometry"]').textContent = error.message;
    markProblem(L.latLng(problem.at[1], problem.at[0]), problem.reason);
    message(error.message, true);
    return false;
  }

  // --- saving -----------------------------------------------------------------------------------------------
  function save(event) {
    event.preventDefault();
    clearErrors();
    const layer = state.layer;
    let decision;
    try { decision = chosenDecision(); } catch (error) { message(error.message, true); return; }
    const values = formValues(layer);
    const geometryChanged = state.drawn && (state.isNew || state.mode === "reshape");
    const geometry = geometryChanged ? geometryOf(state.drawn) : null;
    if (geometry && !checkShape(geometry)) return;
    const missing = layer.fields.filter((f) => f.required && values[f.name] === null);
    for (const f of missing) {
      document.querySelector(`[data-error-for="${f.name}"]`).textContent = "Bắt buộc / Required";
    }
    if (missing.length) { message("Hãy điền các trường bắt buộc / Fill in the required fields", true); return; }
    const what = layer.versioned && !state.isNew
      ? "Lưu thay đổi? Phiên bản hiện tại sẽ được đóng và mở phiên bản mới theo quyết định đã chọn. / " +
        "Save? The current version is closed and a new one opened under the chosen decision."
      : "Lưu thay đổi? / Save the change?";
    if (!window.confirm(what)) return;
    const headers = { "Content-Type": "application/geo+json" };
    if (decision) headers.Decision = encodeURIComponent(decision);
    let url = layer.items;
    let method = "POST";
    const properties = {};
    if (state.isNew) {
      for (const [k, v] of Object.entries(values)) if (v !== null) properties[k] = v;
    } else {
      for (const [k, v] of Object.entries(values)) if (v !== state.initial[k]) properties[k] = v;
      url = `${layer.items}/${encodeURIComponent(state.selected.id)}`;
      method = "PATCH";
      headers["If-Match"] = state.selected.etag;
    }
    const body = { type: "Feature", properties };
    if (geometry) body.geometry = geometry;
    $("ws-save").disabled = true;
    fetch(url, { method, headers, body: JSON.stringify(body), credentials: "same-origin" }).then((r) => {
      if (!r.ok) return apiError(r);
      const id = (r.headers.get("Location") || "").split("/").pop();
      return r.json().then(() => {
        refresh(layer.id);
        return open(layer.id, id).then(() => message(`Đã lưu / Saved (#${id})`, false));
      });
    }).catch((error) => {
      if (error.status === 412) {
        const reason = "Người khác vừa thay đổi đối tượng này; biểu mẫu đã được tải lại với dữ liệu mới nhất, hãy " +
          "nhập lại thay đổi của bạn / Someone else changed this feature since you opened it; the form has been " +
          "reloaded with their version: re-apply your change.";
        open(layer.id, state.selected.id).then(() => message(reason, true));
        return;
      }
      showError(error);
    }).finally(() => { $("ws-save").disabled = false; });
  }

  // --- drawing, reshaping, splitting, merging ---------------------------------------------------------------
  function loadNeighbours() {
    const layer = state.layer;
    if (snapLayer) { map.removeLayer(snapLayer); snapLayer = null; }
    if (map.getZoom() < Math.max(layer.min_zoom, 14)) return Promise.resolve();
    const b = map.getBounds();
    const params = new URLSearchParams({ f: "geojson", limit: "500",
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(7)).join(",") });
    return fetchJSON(`${layer.items}?${params}`).then((fc) => {
      snapLayer = L.geoJSON(fc, { style: { color: "#636363", weight: 1, fill: false, dashArray: "2 3" },
        interactive: false, pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 3 }) }).addTo(map);
    }).catch(() => {});
  }

  function drawOptions() {
    return { snappable: true, snapDistance: 15, allowSelfIntersection: true, finishOn: null };
  }

  function setMode(mode, text) {
    state.mode = mode;
    $("ws-cancel").hidden = !mode;
    hint(text || "");
  }

  function cancelDrawing() {
    map.pm.disableDraw();
    if (state.drawn) {
      if (state.drawn.pm) state.drawn.pm.disable();
      map.removeLayer(state.drawn);
    }
    if (state.line) { map.removeLayer(state.line); state.line = null; }
    state.drawn = null;
    state.marks.clearLayers();
    setMode(null);
  }

  function startDraw() {
    const layer = state.layer;
    cancelDrawing();
    state.selected = null;
    const type = layer.geometry_type || "";
    const shape = type.includes("Polygon") ? "Polygon" : type.includes("Line") ? "Line" : "Marker";
    loadNeighbours().then(() => {
      setMode("draw", "Bấm để đặt các đỉnh, bấm đỉnh đầu để kết thúc / Click to place corners, click the first to finish");
      map.pm.enableDraw(shape, drawOptions());
    });
  }

  function startReshape() {
    if (!state.drawn || !state.drawn.pm) return;
    loadNeighbours().then(() => {
      setMode("reshape", "Kéo các đỉnh để sửa hình, rồi bấm Lưu / Drag the corners, then press Save");
      state.drawn.pm.enable({ snappable: true, snapDistance: 15, allowSelfIntersection: true });
      state.drawn.on("pm:edit", () => { clearErrors(); checkShape(geometryOf(state.drawn)); });
    });
  }

  function startSplit() {
    if (!state.selected) return;
    loadNeighbours().then(() => {
      setMode("split", "Vẽ một đường cắt ngang lô, bắt đầu và kết thúc bên ngoài; bấm đúp để kết thúc / " +
        "Draw a line across the plot, starting and ending outside it; double-click to finish");
      map.pm.enableDraw("Line", { snappable: true, snapDistance: 15 });
    });
  }

  function startMerge() {
    if (!state.selected) return;
    setMode("merge", "Bấm vào lô liền kề để gộp vào lô đang chọn / Click the adjacent plot to merge into this one");
  }

  function afterTwoFeatureChange(result, verb) {
    refresh(state.layer.id);
    const first = result.features[0].id;
    return open(state.layer.id, first).then(() => message(`${verb} (#${result.features.map((f) => f.id).join(", #")})`));
  }

  function split(line) {
    const layer = state.layer;
    let decision;
    try { decision = chosenDecision(); } catch (error) { message(error.message, true); cancelDrawing(); return Promise.resolve(); }
    if (!window.confirm("Chia đối tượng thành hai theo đường đã vẽ? / Split the feature in two along the line?")) {
      cancelDrawing();
      return Promise.resolve();
    }
    const body = { id: Number(state.selected.id), line, decision, if_match: state.selected.etag };
    return fetchJSON(`/api/workspace/${layer.id}/split`, { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" } })
      .then((result) => afterTwoFeatureChange(result, "Đã chia / Split"))
      .catch((error) => { cancelDrawing(); showError(error); });
  }

  function merge(otherId) {
    const layer = state.layer;
    let decision;
    try { decision = chosenDecision(); } catch (error) { message(error.message, true); return Promise.resolve(); }
    return readFeature(layer, otherId).then((other) => {
      const shape = outline(other.feature.geometry, false).addTo(state.marks);
      if (shape.setStyle) shape.setStyle({ color: "#3182bd" });
      if (!window.confirm("Gộp hai đối tượng đã tô đậm thành một? / Merge the two highlighted features into one?")) {
        setMode(null);
        state.marks.clearLayers();
        return null;
      }
      const body = { ids: [Number(state.selected.id), Number(other.id)], decision,
        if_matches: [state.selected.etag, other.etag] };
      return fetchJSON(`/api/workspace/${layer.id}/merge`, { method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json" } })
        .then((result) => afterTwoFeatureChange(result, "Đã gộp / Merged"));
    }).catch((error) => { setMode(null); showError(error); });
  }

  map.on("pm:create", (event) => {
    map.pm.disableDraw();
    if (state.mode === "split") {
      state.line = event.layer;
      split(geometryOf(event.layer));
      return;
    }
    state.drawn = event.layer;
    state.isNew = true;
    setMode("draw", "Điền thông tin rồi bấm Lưu, hoặc Hủy vẽ / Fill in the form and press Save, or Cancel drawing");
    fillForm(state.layer, {}, true);
    checkShape(geometryOf(event.layer));
  });

  map.on("click", (event) => {
    const layer = state.layer;
    if (!layer || state.mode === "draw" || state.mode === "split" || state.mode === "reshape") return;
    featureAt(layer, event.latlng).then((id) => {
      if (id === null) return;
      if (state.mode === "merge") {
        if (String(id) !== String(state.selected.id)) merge(id);
        return;
      }
      open(layer.id, id);
    }).catch((error) => message(error.message, true));
  });

  // --- the page ---------------------------------------------------------------------------------------------
  const select = $("ws-layer");
  select.innerHTML = config.layers.map((l) =>
    `<option value="${l.id}">${escapeHtml(l.title_vi)} / ${escapeHtml(l.title_en)}</option>`).join("");
  select.addEventListener("change", () => { cancelDrawing(); closeForm(); showLayer(select.value); });
  map.on("zoomend", () => { if (state.layer && !state.mode) showLayer(state.layer.id); });

  function closeForm() {
    cancelDrawing();
    state.selected = null;
    $("ws-form").hidden = true;
    $("ws-empty").hidden = false;
    for (const id of ["ws-reshape", "ws-split", "ws-merge"]) $(id).disabled = true;
  }

  $("ws-form").addEventListener("submit", save);
  $("ws-close").addEventListener("click", closeForm);
  $("ws-draw").addEventListener("click", startDraw);
  $("ws-reshape").addEventListener("click", startReshape);
  $("ws-split").addEventListener("click", startSplit);
  $("ws-merge").addEventListener("click", startMerge);
  $("ws-cancel").addEventListener("click", () => {
    const selected = state.selected;
    cancelDrawing();
    if (selected) open(selected.layer.id, selected.id); else closeForm();
  });

  for (const tab of document.querySelectorAll(".ws-tabs [data-tab]")) {
    const panel = $(tab.dataset.tab);
    if (!panel.children.length && tab.dataset.tab !== "ws-edit") tab.hidden = true;  // panels not installed yet
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".ws-tabs [data-tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
        $(other.dataset.tab).hidden = other !== tab;
      }
    });
  }

  // #layer=land_plots&id=123 opens a feature (links from other pages; later panels).
  function fromHash() {
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (layerOf(hash.get("layer"))) showLayer(hash.get("layer"));
    if (!hash.get("id")) return;
    open(state.layer.id, hash.get("id")).then((s) => {
      if (s.feature.geometry) map.fitBounds(L.geoJSON(s.feature.geometry).getBounds(), { maxZoom: 18, animate: false });
    }).catch(() => {});
  }
  showLayer(layerOf("land_plots") ? "land_plots" : config.layers[0].id);
  fromHash();
  window.addEventListener("hashchange", fromHash);

  window.ZoneAtlasWorkspace = {
    map, config, layers: tiles, fetchJSON, refresh, decisions, reloadDecisions, open, showLayer, message,
    escapeHtml, ddmmyyyy,
    selected: () => state.selected,
    state,  // for the browser tests and people debugging: mode, the drawn layer
  };
})();
