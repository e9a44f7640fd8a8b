// The workspace's "Quyết định / Decisions" panel: the decisions register for editors, in the browser.
//
// Everything goes through the register API (docs/decisions.md): the list is GET /api/decisions (staff see
// unpublished decisions too), a decision is read with GET /api/decisions/{id} (its ETag in the body), saved with
// POST or PATCH (If-Match), and its signed PDF attached with PUT …/document and detached with DELETE …/document.
// The API's own messages are shown next to the fields they name; nothing is checked here that the API does not.
// Vocabularies and zones come from the page's configuration (ws-config "decisions"), so no raw code is shown.
(function () {
  "use strict";

  const ws = window.ZoneAtlasWorkspace;
  const $ = (id) => document.getElementById(id);
  if (!ws || !$("wsd-form")) return;
  const setup = ws.config.decisions || { vocabularies: {}, zones: [] };
  const FIELDS = ["number", "title_vi", "title_en", "date_signed", "date_effective", "authority", "authority_name_vi",
    "kind", "plan_level", "horizon_year", "vision_year", "zone_uid", "supersedes", "source", "notes",
    "illustrative", "public"];
  const INTEGERS = new Set(["horizon_year", "vision_year"]);
  const CHECKBOXES = new Set(["illustrative", "public"]);
  const { escapeHtml, ddmmyyyy } = ws;
  const state = { list: [], current: null, initial: null };

  function label(vocabulary, value) {
    const found = (setup.vocabularies[vocabulary] || []).find((c) => c.value === value);
    return found ? `${found.vi} / ${found.en}` : "";
  }

  function sizeText(bytes) {
    if (bytes === null || bytes === undefined) return "";
    if (bytes < 1024) return `${bytes} byte`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(".", ",")} KB`;
    return `${(bytes / 1048576).toFixed(1).replace(".", ",")} MB`;
  }

  function say(text, isError) {
    const box = $("wsd-message");
    box.hidden = !text;
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
  }

  // --- the register --------------------------------------------------------------------------------------------
  function loadList() {
    return ws.fetchJSON("/api/decisions").then((body) => {
      state.list = (body.decisions || []).slice().reverse();  // newest first
      renderList();
      fillSupersedes();
    }).catch((error) => say(error.message, true));
  }

  function matches(d, q) {
    if (!q) return true;
    const text = [d.number, d.title_vi, d.title_en, d.authority_name_vi, label("authority", d.authority),
      label("kind", d.kind)].join(" ").toLowerCase();
    return text.includes(q);
  }

  // The plan as the decision left it, on /maps/revisions (every decision of the register can be picked there).
  function revisionsLink(d) {
    const state = new URLSearchParams({ a: d.number });
    if (d.zone_uid) state.set("zone", d.zone_uid);
    return `/maps/revisions#${state}`;
  }

  function renderList() {
    const q = $("wsd-search").value.trim().toLowerCase();
    const shown = state.list.filter((d) => matches(d, q));
    $("wsd-count").textContent = `${shown.length} / ${state.list.length} quyết định / decisions`;
    $("wsd-list").innerHTML = shown.map((d) => `<li><button type="button" class="wsd-item" data-id="${d.id}">` +
      `<strong class="wsd-item-number">${escapeHtml(d.number)}</strong> ` +
      `<span class="wsd-badge ${d.public === false ? "private" : "public"}">` +
      `${d.public === false ? "Nội bộ / Not public" : "Công khai / Public"}</span> ` +
      `<span class="wsd-badge ${d.has_document ? "pdf" : "nopdf"}">${d.has_document ? "Có PDF / PDF" : "Chưa có PDF / No PDF"}</span>` +
      (d.illustrative ? ' <span class="wsd-badge illustrative">Minh họa / Illustrative</span>' : "") +
      (d.in_progress ? ' <span class="wsd-badge in-progress">Đang lập điều chỉnh / Revision in progress</span>' : "") +
      `<span class="wsd-item-title">${escapeHtml(d.title_vi)}</span>` +
      `<span class="wsd-item-meta">Ký / Signed ${ddmmyyyy(d.date_signed)} · Hiệu lực / Effective ${ddmmyyyy(d.date_effective)}` +
      `</span><span class="wsd-item-meta">${escapeHtml(label("authority", d.authority))} · ` +
      `${escapeHtml(label("kind", d.kind))}</span></button>` +
      `<a class="wsd-on-map" href="${revisionsLink(d)}" target="_blank" rel="noopener">` +
      "Xem trên bản đồ quy hoạch / See on the plan map</a></li>").join("");
  }

  // --- the form ------------------------------------------------------------------------------------------------
  function options(select, choices, withEmpty) {
    select.innerHTML = (withEmpty ? '<option value="">—</option>' : '<option value="" disabled>— chọn / choose —</option>') +
      choices.map((c) => `<option value="${escapeHtml(c.value)}">${escapeHtml(c.vi)} / ${escapeHtml(c.en)}</option>`).join("");
  }

  function fillSupersedes() {
    const select = $("wsd-supersedes");
    const keep = select.value;
    const q = $("wsd-supersedes-search").value.trim().toLowerCase();
    const self = state.current && state.current.id;
    const shown = state.list.filter((d) => d.id !== self && (!q || d.number === keep ||
      `${d.number} ${d.title_vi || ""} ${d.title_en || ""}`.toLowerCase().includes(q)));
    select.innerHTML = '<option value="">— Không thay thế / Supersedes none —</option>' + shown.map((d) =>
      `<option value="${escapeHtml(d.number)}">${escapeHtml(d.number)} — ${escapeHtml(d.title_vi)} ` +
      `(${ddmmyyyy(d.date_effective)})</option>`).join("");
    select.value = shown.some((d) => d.number === keep) ? keep : "";
  }

  function input(name) {
    return name === "supersedes" ? $("wsd-supersedes") : $(`wsd-${name}`);
  }

  function setValues(data) {
    for (const name of FIELDS) {
      const el = input(name);
      const value = data[name];
      if (CHECKBOXES.has(name)) el.checked = name === "public" ? value !== false : Boolean(value);
      else if (name === "supersedes") {
        $("wsd-supersedes-search").value = "";
        fillSupersedes();
        el.value = value || "";
        if (value && el.value !== value) {  // a superseded decision not in the list yet: keep it chosen
          el.insertAdjacentHTML("beforeend", `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`);
          el.value = value;
        }
      } else if (name === "zone_uid" && value && !setup.zones.some((z) => z.uid === value)) {
        el.insertAdjacentHTML("beforeend", `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`);
        el.value = value;
      } else el.value = value ?? "";
    }
    showDates();
  }

  function values() {
    const out = {};
    for (const name of FIELDS) {
      const el = input(name);
      if (CHECKBOXES.has(name)) { out[name] = el.checked; continue; }
      const raw = el.value.trim();
      if (raw === "") out[name] = null;
      else if (INTEGERS.has(name)) out[name] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
      else out[name] = raw;
    }
    return out;
  }

  function showDates() {
    for (const el of document.querySelectorAll("[data-wsd-date]")) {
      el.textContent = ddmmyyyy($(`wsd-${el.dataset.wsdDate}`).value);
    }
  }

  function clearErrors() {
    for (const el of document.querySelectorAll("#wsd-form .wsd-error")) el.textContent = "";
  }

  // The API names the field it refuses ('kind', date_effective (ngày hiệu lực), supersedes: …): show it there.
  function showError(error, slot) {
    let named = null;
    let at = Infinity;
    for (const name of [...FIELDS, "supersedes_id"]) {
      const found = new RegExp(`\\b${name}\\b`).exec(error.message);
      if (found && found.index < at) { at = found.index; named = name === "supersedes_id" ? "supersedes" : name; }
    }
    const box = (!slot && named && document.querySelector(`[data-wsd-error="${named}"]`)) || slot || $("wsd-form-error");
    box.textContent = error.message;
    say(error.message, true);
  }

  function openForm(data) {
    state.current = data;
    clearErrors();
    say("");
    setValues(data || { public: true });
    state.initial = values();
    $("wsd-form-title").textContent = data ? `Sửa quyết định / Edit decision ${data.number}` : "Quyết định mới / New decision";
    $("wsd-register").hidden = true;
    $("wsd-form").hidden = false;
    showDocument(data);
  }

  function closeForm() {
    state.current = null;
    $("wsd-form").hidden = true;
    $("wsd-register").hidden = false;
  }

  function openDecision(id) {
    return ws.fetchJSON(`/api/decisions/${encodeURIComponent(id)}`).then(openForm)
      .catch((error) => say(error.message, true));
  }

  function changedFields() {
    const now = values();
    if (!state.current) return Object.fromEntries(Object.entries(now).filter(([, v]) => v !== null));
    return Object.fromEntries(Object.entries(now).filter(([k, v]) => v !== state.initial[k]));
  }

  function save(event) {
    event.preventDefault();
    clearErrors();
    const body = changedFields();
    const editing = Boolean(state.current);
    if (editing && !Object.keys(body).length) { say("Không có gì thay đổi / Nothing changed"); return; }
    const what = editing
      ? `Lưu thay đổi của quyết định ${state.current.number}? / Save the changes to decision ${state.current.number}?`
      : `Đăng ký quyết định ${body.number || ""}? / Register decision ${body.number || ""}?`;
    if (!window.confirm(what)) return;
    const headers = { "Content-Type": "application/json" };
    if (editing) headers["If-Match"] = state.current.etag;
    const url = editing ? `/api/decisions/${state.current.id}` : "/api/decisions";
    ws.fetchJSON(url, { method: editing ? "PATCH" : "POST", body: JSON.stringify(body), headers })
      .then((saved) => afterWrite(saved, editing ? `Đã lưu quyết định ${saved.number} / Saved`
        : `Đã đăng ký quyết định ${saved.number}; có thể đính kèm PDF / Registered; you can attach its PDF`))
      .catch((error) => (error.status === 412 ? reloadStale() : showError(error)));
  }

  // Someone else changed the decision since it was opened: show theirs, ask to check and save again.
  function reloadStale() {
    const id = state.current.id;
    return ws.fetchJSON(`/api/decisions/${id}`).then((data) => {
      openForm(data);
      const text = "Quyết định này vừa được người khác sửa: biểu mẫu đã tải lại bản mới nhất, hãy kiểm tra rồi lưu lại / " +
        "Someone changed this decision since you opened it: the form now shows the current values; check them and save again";
      $("wsd-form-error").textContent = text;
      say(text, true);
    }).catch((error) => say(error.message, true));
  }

  function afterWrite(saved, text) {
    openForm(saved);
    say(text);
    ws.reloadDecisions();  // the edit tab's decision picker sees it at once
    return loadList();
  }

  // --- the signed PDF ------------------------------------------------------------------------------------------
  function showDocument(data) {
    $("wsd-document").hidden = !data;
    $("wsd-doc-file").value = "";
    $("wsd-doc-size").textContent = "";
    $("wsd-doc-attach").disabled = true;
    $("wsd-doc-error").textContent = "";
    if (!data) return;
    const has = Boolean(data.document_url);
    $("wsd-doc-current").textContent = has
      ? `${data.document_filename} (${sizeText(data.document_size)})`
      : "Chưa đính kèm PDF / No PDF attached";
    $("wsd-doc-view").hidden = !has;
    if (has) $("wsd-doc-view").href = data.document_url;
    $("wsd-doc-detach").hidden = !has;
  }

  function chooseFile() {
    const file = $("wsd-doc-file").files[0];
    $("wsd-doc-error").textContent = "";
    $("wsd-doc-size").textContent = file ? `${file.name}: ${sizeText(file.size)}` : "";
    $("wsd-doc-attach").disabled = !file;
  }

  function attach() {
    const file = $("wsd-doc-file").files[0];
    if (!file || !state.current) return;
    const replacing = state.current.document_url ? " (thay tệp đang đính kèm / replaces the one attached)" : "";
    if (!window.confirm(`Đính kèm ${file.name} (${sizeText(file.size)})${replacing}? / Attach it?`)) return;
    const form = new FormData();
    form.append("file", file, file.name);
    ws.fetchJSON(`/api/decisions/${state.current.id}/document`, { method: "PUT", body: form,
      headers: { "If-Match": state.current.etag } })
      .then((saved) => afterWrite(saved, `Đã đính kèm ${saved.document_filename} / PDF attached`))
      .catch((error) => (error.status === 412 ? reloadStale() : showError(error, $("wsd-doc-error"))));
  }

  function detach() {
    if (!state.current || !state.current.document_url) return;
    if (!window.confirm(`Gỡ tệp ${state.current.document_filename} khỏi quyết định ${state.current.number}? / ` +
      "Detach the PDF from this decision?")) return;
    ws.fetchJSON(`/api/decisions/${state.current.id}/document`, { method: "DELETE",
      headers: { "If-Match": state.current.etag } })
      .then((saved) => afterWrite(saved, "Đã gỡ PDF / PDF detached"))
      .catch((error) => (error.status === 412 ? reloadStale() : showError(error, $("wsd-doc-error"))));
  }

  // --- the page ------------------------------------------------------------------------------------------------
  options($("wsd-authority"), setup.vocabularies.authority || [], false);
  options($("wsd-kind"), setup.vocabularies.kind || [], false);
  options($("wsd-plan_level"), setup.vocabularies.plan_level || [], true);
  options($("wsd-zone_uid"), setup.zones.map((z) => ({ value: z.uid, vi: z.vi, en: z.en || z.uid })), true);
  $("wsd-search").addEventListener("input", renderList);
  $("wsd-supersedes-search").addEventListener("input", fillSupersedes);
  $("wsd-list").addEventListener("click", (event) => {
    const item = event.target.closest(".wsd-item");
    if (item) openDecision(item.dataset.id);
  });
  $("wsd-new").addEventListener("click", () => openForm(null));
  $("wsd-close").addEventListener("click", () => { closeForm(); say(""); });
  $("wsd-form").addEventListener("submit", save);
  for (const name of ["date_signed", "date_effective"]) $(`wsd-${name}`).addEventListener("input", showDates);  // as typed: a line appearing on blur would move the Save button under the click
  $("wsd-doc-file").addEventListener("change", chooseFile);
  $("wsd-doc-attach").addEventListener("click", attach);
  $("wsd-doc-detach").addEventListener("click", detach);
  loadList();
})();
