// The workspace's "Bảng tính / Spreadsheets" panel: spreadsheet updates and geometry-file imports from the page.
//
// Spreadsheets: choose a layer (and a project or park to narrow its template), download the template, upload the
// filled sheet → a dry run at once (POST /api/updates/{layer}?dry_run=true) shown as a table of old → new values in
// words and every row-level error with its row and column; "Áp dụng / Apply" is enabled only for a clean preview and
// sends the same file again without dry_run (all or nothing), then redraws the layer's tiles.
// Geometry files: POST /api/imports with dry_run=true first, its validation report in words, then the import.
// Nothing is computed here: every check, message and write is the API's own. Uses window.ZoneAtlasWorkspace.
(function () {
  "use strict";

  const ws = window.ZoneAtlasWorkspace;
  if (!ws) return;
  const $ = (id) => document.getElementById(id);
  const layerOf = (id) => ws.config.layers.find((l) => l.id === id);
  // Layers a sheet updates: those on the map, and map-less ones keyed by a natural key (figures, targets, rent).
  const sheetLayers = () => [...ws.config.layers, ...(ws.config.sheet_layers || [])];
  const sheetLayerOf = (id) => sheetLayers().find((l) => l.id === id);
  const { escapeHtml, ddmmyyyy } = ws;
  const layerName = (layer) => `${layer.title_vi} / ${layer.title_en}`;

  // Template filters the API has: the collection listing the choices, and the parameter they go to.
  const FILTERS = {
    clearance_parcels: { param: "project", source: "projects", vi: "Dự án", en: "Project" },
    land_plots: { param: "park", source: "industrial_parks", vi: "Khu công nghiệp", en: "Industrial park" },
    enterprise_figures: { param: "park", source: "industrial_parks", vi: "Khu công nghiệp", en: "Industrial park" },
    project_rent_amounts: { param: "project", source: "projects", vi: "Dự án", en: "Project" },
  };

  // --- shared helpers -----------------------------------------------------------------------------------------
  function fillLayers(select, layers) {
    select.innerHTML = layers.map((l) =>
      `<option value="${escapeHtml(l.id)}">${escapeHtml(layerName(l))}</option>`).join("");
    if (layerOf("land_plots")) select.value = "land_plots";
  }

  function status(id, text, isError) {
    const box = $(id);
    box.hidden = !text;
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
  }

  // A searchable list of the registered decisions; onChange runs when one is chosen.
  function decisionPicker(prefix, onChange) {
    const search = $(`${prefix}-decision-search`);
    const select = $(`${prefix}-decision`);
    let list = [];
    const render = () => {
      const q = search.value.trim().toLowerCase();
      const keep = select.value;
      const shown = [...list].reverse().filter((d) => !q ||
        `${d.number} ${d.title_vi || ""} ${d.title_en || ""}`.toLowerCase().includes(q));
      select.innerHTML = shown.map((d) => {
        const day = d.date_effective || d.date_signed;
        return `<option value="${escapeHtml(d.number)}">${escapeHtml(d.number)} — ` +
          `${escapeHtml(d.title_vi || d.title_en || "")}${day ? ` (${ddmmyyyy(day)})` : ""}</option>`;
      }).join("");
      if (keep && shown.some((d) => d.number === keep)) select.value = keep;
    };
    let loaded = null;
    const load = () => {
      if (!loaded) {
        loaded = ws.decisions().then((l) => { list = l; render(); })
          .catch((error) => status(`${prefix}-status`, error.message, true));
      }
    };
    search.addEventListener("input", () => { load(); render(); });
    select.addEventListener("change", onChange);
    return { load, value: () => select.value };
  }

  function chosenDecision(layer, picker, statusId) {
    if (!layer.versioned) return "";
    if (picker.value()) return picker.value();
    status(statusId, "Lớp này có phiên bản: hãy chọn quyết định trước / This layer is versioned: choose the decision first", true);
    return null;
  }

  // A stored value as a person reads it: the vocabulary's words, dates dd/mm/yyyy, yes/no, "(trống)" for empty.
  function words(layer, name, value, label) {
    if (label) return label;
    if (value === null || value === undefined || value === "") return "(trống / empty)";
    const field = layer.fields.find((f) => f.name === name);
    const choice = field && field.choices && field.choices.find((c) => String(c.value) === String(value));
    if (choice) return `${choice.vi} / ${choice.en}`;
    if (typeof value === "boolean") return value ? "Có / Yes" : "Không / No";
    // amounts of money written the Vietnamese way (4.200.000.000.000); years, periods and counts as they are
    if (typeof value === "number" && /_(vnd|usd)$/.test(name)) return new Intl.NumberFormat("vi-VN").format(value);
    if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return ddmmyyyy(value);
    return String(value);
  }

  // Redraw a layer's tiles after a write, when they are on the map at a zoom they are drawn at.
  function redraw(layer) {
    const grid = ws.layers[layer.id];
    if (grid && ws.map.hasLayer(grid) && ws.map.getZoom() >= layer.min_zoom) ws.refresh(layer.id);
  }

  // --- spreadsheet updates -----------------------------------------------------------------------------------
  const sheet = { generation: 0, report: null, filterFor: null };
  const sheetDecision = decisionPicker("wsu", () => { if ($("wsu-file").files[0]) previewSheet(); });

  function sheetLayer() { return sheetLayerOf($("wsu-layer").value); }

  function takesYear(layer) { return (layer.template_filters || []).includes("year"); }

  function templateUrl() {
    const layer = sheetLayer();
    const filter = FILTERS[layer.id];
    const params = new URLSearchParams();
    if (filter && $("wsu-filter").value) params.set(filter.param, $("wsu-filter").value);
    if (takesYear(layer) && $("wsu-year").value.trim()) params.set("year", $("wsu-year").value.trim());
    const sheets = $("wsu-sheets").value.trim();
    if (layer.id === "clearance_parcels" && sheets) params.set("map_sheet", sheets);
    const query = params.toString();
    return `/api/updates/${encodeURIComponent(layer.id)}/template.xlsx${query ? `?${query}` : ""}`;
  }

  // The filter's choices, fetched when the panel is shown (the page embeds no data).
  function fillFilter() {
    const layer = sheetLayer();
    const filter = FILTERS[layer.id];
    const select = $("wsu-filter");
    $("wsu-filter-box").hidden = !filter;
    $("wsu-year-box").hidden = !takesYear(layer);
    $("wsu-sheets-box").hidden = layer.id !== "clearance_parcels";
    if (!filter || $("ws-updates").hidden || sheet.filterFor === layer.id) return Promise.resolve();
    sheet.filterFor = layer.id;
    select.innerHTML = "";
    $("wsu-filter-label").textContent = `${filter.vi} / ${filter.en}`;
    const source = layerOf(filter.source);
    const items = source ? source.items : `/collections/${filter.source}/items`;
    const params = new URLSearchParams({ f: "json", properties: "uid,name_vi", limit: "2000", sortby: "name_vi" });
    return ws.fetchJSON(`${items}?${params}`).then((fc) => {
      if (sheetLayer() !== layer) return;
      const keep = select.value;
      select.innerHTML = '<option value="">Tất cả / All</option>' + fc.features.map((f) =>
        `<option value="${escapeHtml(f.properties.uid)}">${escapeHtml(f.properties.name_vi)}</option>`).join("");
      select.value = keep;
      $("wsu-template").href = templateUrl();
    }).catch((error) => {
      sheet.filterFor = null;
      status("wsu-status", error.message, true);
    });
  }

  function chooseSheetLayer() {
    const layer = sheetLayer();
    discardSheet();
    $("wsu-decision-box").hidden = !layer.versioned;
    $("wsu-template").href = templateUrl();
    panelShown();
  }

  // What the panel lists (decisions, projects or parks) is fetched once it is on screen.
  function panelShown() {
    if ($("ws-updates").hidden) return;
    if (sheetLayer().versioned) sheetDecision.load();
    if (importLayer().versioned) importDecision.load();
    fillFilter();
  }

  // The template through fetch, so a refusal (e.g. a layer too large without a filter) is shown in the panel.
  function downloadTemplate(event) {
    event.preventDefault();
    const url = templateUrl();
    status("wsu-status", "Đang tạo mẫu… / Preparing the template…");
    fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) {
        return response.json().catch(() => ({})).then((body) => {
          throw new Error(body.description || `HTTP ${response.status}`);
        });
      }
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = (/filename="([^"]+)"/.exec(disposition) || [null, "template.xlsx"])[1];
      return response.blob().then((blob) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = name;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
        status("wsu-status", `Đã tải ${name} / Downloaded ${name}`);
      });
    }).catch((error) => status("wsu-status", error.message, true));
  }

  function sendSheet(layer, file, decision, dryRun) {
    const params = new URLSearchParams();
    if (dryRun) params.set("dry_run", "true");
    if (decision) params.set("decision", decision);
    const body = new FormData();
    body.append("file", file, file.name);
    const query = params.toString();
    return ws.fetchJSON(`/api/updates/${encodeURIComponent(layer.id)}${query ? `?${query}` : ""}`,
      { method: "POST", body });
  }

  function clearPreview() {
    sheet.report = null;
    $("wsu-preview").hidden = true;
    $("wsu-apply").disabled = true;
    $("wsu-errors").tBodies[0].innerHTML = "";
    $("wsu-changes").tBodies[0].innerHTML = "";
  }

  function discardSheet() {
    sheet.generation += 1;
    $("wsu-file").value = "";
    clearPreview();
    status("wsu-status", "");
    $("wsu-cancel").disabled = true;
  }

  function previewSheet() {
    const file = $("wsu-file").files[0];
    const layer = sheetLayer();
    const generation = ++sheet.generation;
    clearPreview();
    $("wsu-cancel").disabled = !file;
    if (!file) return;
    const decision = chosenDecision(layer, sheetDecision, "wsu-status");
    if (decision === null) return;
    status("wsu-status", "Đang kiểm tra bảng tính… / Checking the sheet…");
    sendSheet(layer, file, decision, true).then((report) => {
      if (generation !== sheet.generation) return;
      showPreview(layer, report);
    }).catch((error) => {
      if (generation !== sheet.generation) return;
      if (error.body && error.body.report) showPreview(layer, error.body.report);
      status("wsu-status", error.message, true);
    });
  }

  function showPreview(layer, report) {
    const counts = report.counts;
    $("wsu-preview").hidden = false;
    $("wsu-counts").textContent =
      `${report.file}: ${counts.rows_read} dòng đã đọc, ${counts.rows_changed} dòng thay đổi ` +
      `(${counts.rows_new || 0} dòng mới), ${counts.rows_unchanged} dòng không đổi, ${counts.errors} lỗi / ` +
      `${counts.rows_read} rows read, ${counts.rows_changed} changed (${counts.rows_new || 0} new), ` +
      `${counts.rows_unchanged} unchanged, ` +
      `${counts.errors} problems` + (report.decision ? ` — Quyết định / Decision ${report.decision.number}` : "");
    $("wsu-errors-box").hidden = !report.errors.length;
    $("wsu-errors").tBodies[0].innerHTML = report.errors.map((e) =>
      `<tr><td>${e.row ?? "—"}</td><td>${escapeHtml(e.column || "—")}</td><td>${escapeHtml(e.message)}</td></tr>`,
    ).join("");
    $("wsu-changes-box").hidden = !report.changes.length;
    $("wsu-changes").tBodies[0].innerHTML = report.changes.map((change) => change.fields.map((f, i) => {
      const head = i === 0
        ? `<td rowspan="${change.fields.length}">${change.row}</td><td rowspan="${change.fields.length}">` +
          `${escapeHtml(change.name || change.key)}${change.name ? ` <small>(${escapeHtml(change.key)})</small>` : ""}` +
          `${change.action === "create" ? ' <strong class="wsu-new-row">dòng mới / new row</strong>' : ""}</td>`
        : "";
      return `<tr>${head}<td>${escapeHtml(f.label_vi)} / ${escapeHtml(f.label_en)}</td>` +
        `<td><span class="wsu-old">${escapeHtml(words(layer, f.field, f.old, f.old_label))}</span> → ` +
        `<span class="wsu-new">${escapeHtml(words(layer, f.field, f.new, f.new_label))}</span></td></tr>`;
    }).join("")).join("");
    sheet.report = report;
    const clean = !report.errors.length && report.changes.length > 0;
    $("wsu-apply").disabled = !clean || report.applied;
    if (report.applied) return;
    if (report.errors.length) {
      status("wsu-status", "Sửa các lỗi trong bảng tính rồi tải lên lại; chưa có gì được ghi / " +
        "Fix the problems in the sheet and upload it again; nothing has been written", true);
    } else if (!report.changes.length) {
      status("wsu-status", "Bảng tính không thay đổi gì / The sheet changes nothing");
    } else {
      status("wsu-status", "Kiểm tra xong, chưa có gì được ghi: xem lại rồi bấm “Áp dụng” / " +
        "Checked, nothing written yet: review it, then press “Apply”");
    }
  }

  function applySheet() {
    const file = $("wsu-file").files[0];
    const layer = sheetLayer();
    const report = sheet.report;
    if (!file || !report || report.errors.length) return;
    const decision = chosenDecision(layer, sheetDecision, "wsu-status");
    if (decision === null) return;
    const n = report.counts.rows_changed;
    const question = `Áp dụng ${n} dòng thay đổi vào “${layer.title_vi}”` +
      `${decision ? ` theo quyết định ${decision}` : ""}? / Apply ${n} changed rows to “${layer.title_en}”` +
      `${decision ? ` under decision ${decision}` : ""}?`;
    if (!window.confirm(question)) return;
    const generation = ++sheet.generation;
    $("wsu-apply").disabled = true;
    status("wsu-status", "Đang áp dụng… / Applying…");
    sendSheet(layer, file, decision, false).then((done) => {
      if (generation !== sheet.generation) return;
      showPreview(layer, done);
      $("wsu-file").value = "";
      $("wsu-cancel").disabled = true;
      status("wsu-status", `Đã áp dụng: ${done.counts.rows_changed} dòng thay đổi / ` +
        `Applied: ${done.counts.rows_changed} rows changed`);
      redraw(layer);
    }).catch((error) => {
      if (generation !== sheet.generation) return;
      if (error.body && error.body.report) showPreview(layer, error.body.report);
      status("wsu-status", `${error.message} — chưa có gì được ghi / nothing was written`, true);
    });
  }

  // --- geometry file imports ---------------------------------------------------------------------------------
  const imported = { generation: 0, report: null };
  const importDecision = decisionPicker("wsi", () => { if ($("wsi-file").files[0]) checkImport(); });

  function importLayer() { return layerOf($("wsi-layer").value); }

  function sendImport(layer, file, decision, dryRun) {
    const body = new FormData();
    body.append("layer", layer.id);
    body.append("file", file, file.name);
    body.append("dry_run", dryRun ? "true" : "false");
    if (decision) body.append("decision", decision);
    const crs = $("wsi-crs").value.trim();
    if (crs) body.append("crs", crs);
    return ws.fetchJSON("/api/imports", { method: "POST", body });
  }

  function clearReport() {
    imported.report = null;
    $("wsi-report").hidden = true;
    $("wsi-apply").disabled = true;
    $("wsi-summary").innerHTML = "";
    $("wsi-problems").innerHTML = "";
  }

  function discardImport() {
    imported.generation += 1;
    $("wsi-file").value = "";
    clearReport();
    status("wsi-status", "");
    $("wsi-cancel").disabled = true;
  }

  function checkImport() {
    const file = $("wsi-file").files[0];
    const layer = importLayer();
    const generation = ++imported.generation;
    clearReport();
    $("wsi-cancel").disabled = !file;
    if (!file) return;
    const decision = chosenDecision(layer, importDecision, "wsi-status");
    if (decision === null) return;
    status("wsi-status", "Đang kiểm tra tệp… / Checking the file…");
    sendImport(layer, file, decision, true).then((report) => {
      if (generation === imported.generation) showReport(layer, report);
    }).catch((error) => {
      if (generation !== imported.generation) return;
      if (error.body && error.body.report) showReport(layer, error.body.report);
      else status("wsi-status", error.message, true);
    });
  }

  function showReport(layer, report) {
    const label = (name) => {
      const field = layer.fields.find((f) => f.name === name);
      return field ? `${field.vi} / ${field.en}` : name;
    };
    const done = report.written;
    const rows = [
      ["Tệp / File", `${report.file} (${report.format})`],
      ["Lớp / Layer", layerName(layer)],
      ["Số đối tượng / Features", String(report.features)],
      ["Hệ toạ độ / CRS", report.crs],
      [done ? "Đã tạo mới / Created" : "Sẽ tạo mới / Would create", String(report.creates)],
      [done ? "Đã cập nhật / Updated" : "Sẽ cập nhật / Would update", String(report.updates)],
    ];
    if (report.decision) {
      rows.push(["Quyết định / Decision", report.decision +
        (report.valid_from ? ` — phiên bản mới từ / new versions from ${ddmmyyyy(report.valid_from)}` : "")]);
    }
    const mapping = Object.entries(report.field_mapping || {});
    if (mapping.length) {
      rows.push(["Trường ← cột trong tệp / Field ← file column",
        mapping.map(([field, column]) => `${label(field)} ← ${column}`).join("; ")]);
    }
    if ((report.ignored_columns || []).length) rows.push(["Cột bỏ qua / Ignored columns", report.ignored_columns.join(", ")]);
    for (const note of report.notes || []) rows.push(["Ghi chú / Note", note]);
    $("wsi-summary").innerHTML = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
    $("wsi-problems-box").hidden = !report.problems.length;
    $("wsi-problems").innerHTML = report.problems.map((p) =>
      `<li>${p.where ? `<strong>${escapeHtml(p.where)}</strong>: ` : ""}${escapeHtml(p.message)}</li>`).join("");
    $("wsi-report").hidden = false;
    imported.report = report;
    $("wsi-apply").disabled = done || report.problems.length > 0 || report.creates + report.updates === 0;
    if (done) return;
    if (report.problems.length) {
      status("wsi-status", `${report.problems.length} lỗi: sửa tệp rồi tải lên lại; chưa có gì được ghi / ` +
        `${report.problems.length} problems: fix the file and upload it again; nothing has been written`, true);
    } else {
      status("wsi-status", "Tệp hợp lệ, chưa có gì được ghi: bấm “Nhập” để ghi / " +
        "The file is valid, nothing written yet: press “Import” to write it");
    }
  }

  function applyImport() {
    const file = $("wsi-file").files[0];
    const layer = importLayer();
    const report = imported.report;
    if (!file || !report || report.problems.length) return;
    const decision = chosenDecision(layer, importDecision, "wsi-status");
    if (decision === null) return;
    const question = `Nhập ${report.file} vào “${layer.title_vi}”: tạo ${report.creates}, cập nhật ${report.updates}? / ` +
      `Import ${report.file} into “${layer.title_en}”: create ${report.creates}, update ${report.updates}?`;
    if (!window.confirm(question)) return;
    const generation = ++imported.generation;
    $("wsi-apply").disabled = true;
    status("wsi-status", "Đang nhập… / Importing…");
    sendImport(layer, file, decision, false).then((done) => {
      if (generation !== imported.generation) return;
      showReport(layer, done);
      $("wsi-file").value = "";
      $("wsi-cancel").disabled = true;
      status("wsi-status", `Đã nhập: tạo ${done.creates}, cập nhật ${done.updates} / ` +
        `Imported: ${done.creates} created, ${done.updates} updated`);
      redraw(layer);
    }).catch((error) => {
      if (generation !== imported.generation) return;
      if (error.body && error.body.report) showReport(layer, error.body.report);
      status("wsi-status", `${error.message} — chưa có gì được ghi / nothing was written`, true);
    });
  }

  function chooseImportLayer() {
    const layer = importLayer();
    discardImport();
    $("wsi-decision-box").hidden = !layer.versioned;
    panelShown();
  }

  // --- wiring ------------------------------------------------------------------------------------------------
  fillLayers($("wsu-layer"), sheetLayers());
  fillLayers($("wsi-layer"), ws.config.layers);
  $("wsu-year").value = String(new Date().getFullYear());
  $("wsu-layer").addEventListener("change", chooseSheetLayer);
  document.querySelector(".ws-tabs [data-tab=ws-updates]").addEventListener("click", panelShown);
  $("wsu-filter").addEventListener("change", () => { $("wsu-template").href = templateUrl(); });
  $("wsu-sheets").addEventListener("input", () => { $("wsu-template").href = templateUrl(); });
  $("wsu-year").addEventListener("input", () => { $("wsu-template").href = templateUrl(); });
  $("wsu-template").addEventListener("click", downloadTemplate);
  $("wsu-file").addEventListener("change", previewSheet);
  $("wsu-apply").addEventListener("click", applySheet);
  $("wsu-cancel").addEventListener("click", discardSheet);
  $("wsi-layer").addEventListener("change", chooseImportLayer);
  $("wsi-crs").addEventListener("change", () => { if ($("wsi-file").files[0]) checkImport(); });
  $("wsi-file").addEventListener("change", checkImport);
  $("wsi-apply").addEventListener("click", applyImport);
  $("wsi-cancel").addEventListener("click", discardImport);
  chooseSheetLayer();
  chooseImportLayer();
})();
