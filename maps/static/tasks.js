// The staff tasks page (/tasks): the programme's task register with filters kept in the address, what is due soon
// and overdue highlighted, the programme's progress per unit, and (editors) a task's status and completion date
// changed through the OGC editing route after a confirmation. Every figure, word and check is the API's own.
(() => {
  "use strict";
  const options = JSON.parse(document.getElementById("tasks-options").textContent);
  const $ = (id) => document.getElementById(id);
  const FILTERS = ["province", "year", "unit", "status", "due"];
  const ITEMS = "/collections/programme_tasks/items";
  const state = { generation: 0, tasks: [] };
  const ddmmyyyy = (iso) => (iso ? iso.slice(0, 10).split("-").reverse().join("/") : "");
  const percent = (value) => (value === null || value === undefined ? "—"
    : `${new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 }).format(value)}%`);

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) td.className = className;
    return td;
  }

  // --- filters, read from and written to the address ------------------------------------------------------------
  function fillChoices() {
    for (const p of options.provinces) $("tk-province").add(new Option(p.name_vi, p.code));
    for (const y of options.years) $("tk-year").add(new Option(String(y), String(y)));
    for (const s of options.statuses) $("tk-status").add(new Option(`${s.vi} / ${s.en}`, s.value));
    $("tk-soon-days").textContent = $("tk-soon-days-en").textContent = String(options.due_soon_days);
  }

  function fillUnits(keep) {
    const province = $("tk-province").value;
    const select = $("tk-unit");
    select.replaceChildren(select.options[0]);
    for (const u of options.units.filter((unit) => !province || unit.province_code === province)) {
      select.add(new Option(`${u.name_vi} / ${u.name_en}`, u.code));
    }
    select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
  }

  function fillDue(keep) {
    const year = $("tk-year").value;
    const select = $("tk-due");
    select.replaceChildren(select.options[0]);
    if (year) {
      for (let q = 1; q <= 4; q += 1) select.add(new Option(`Quý ${q}/${year} / Q${q} ${year}`, `${year}-Q${q}`));
      for (let m = 1; m <= 12; m += 1) {
        const mm = String(m).padStart(2, "0");
        select.add(new Option(`Tháng ${mm}/${year} / ${mm}/${year}`, `${year}-${mm}`));
      }
    }
    select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
  }

  function fromAddress() {
    const params = new URLSearchParams(window.location.search);
    $("tk-province").value = params.get("province") || "";
    const year = params.get("year") || String(options.default_year || "");
    $("tk-year").value = [...$("tk-year").options].some((o) => o.value === year) ? year : $("tk-year").value;
    fillUnits(params.get("unit") || "");
    $("tk-status").value = params.get("status") || "";
    fillDue(params.get("due") || "");
    $("tk-overdue").checked = params.get("overdue") === "true";
  }

  function chosen() {
    const params = new URLSearchParams(window.location.search);
    const query = {};
    for (const name of FILTERS) if ($(`tk-${name}`).value) query[name] = $(`tk-${name}`).value;
    if ($("tk-overdue").checked) query.overdue = "true";
    if (params.get("as_of")) query.as_of = params.get("as_of");  // a day to judge overdue on (reports, tests)
    return query;
  }

  function toAddress() {
    const query = new URLSearchParams(chosen()).toString();
    window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
  }

  // --- fetching -----------------------------------------------------------------------------------------------
  async function getJson(path, params) {
    const response = await fetch(`${path}?${new URLSearchParams(params)}`, { credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.description || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  async function load() {
    const generation = ++state.generation;
    const query = chosen();
    toAddress();
    document.body.dataset.tasksReady = "";
    $("tk-status-line").textContent = "Đang tải… / Loading…";
    const progressQuery = { year: query.year || "", province: query.province || "" };
    if (query.as_of) progressQuery.as_of = query.as_of;
    const report = `/api/reports/programme?${new URLSearchParams(progressQuery)}`;
    $("tk-report-xlsx").href = `${report}&f=xlsx`;
    $("tk-report-pdf").href = `${report}&f=pdf`;
    try {
      const [list, progress] = await Promise.all([
        getJson("/api/tasks", query),
        query.year ? getJson("/api/reports/programme", progressQuery).catch((e) => (e.status === 404 ? null : Promise.reject(e))) : null,
      ]);
      if (generation !== state.generation) return;
      showProgress(progress);
      showTasks(list);
      const overdue = list.tasks.filter((t) => t.overdue).length;
      const soon = list.tasks.filter((t) => t.due_soon).length;
      $("tk-status-line").textContent = `${list.count} nhiệm vụ, ${overdue} quá hạn, ${soon} sắp đến hạn ` +
        `(tính đến ${ddmmyyyy(list.as_of)}) / ${list.count} tasks, ${overdue} overdue, ${soon} due soon ` +
        `(as of ${ddmmyyyy(list.as_of)})`;
      document.body.dataset.tasksReady = JSON.stringify(query);
    } catch (error) {
      if (generation !== state.generation) return;
      $("tk-status-line").textContent = `Không tải được / Could not load: ${error.message}`;
      document.body.dataset.tasksReady = "error";
    }
  }

  // --- the programme's progress per unit ----------------------------------------------------------------------
  function progressRow(section, label, counts) {
    const row = section.insertRow();
    cell(row, label);
    for (const key of ["total", "done", "in_progress", "overdue"]) cell(row, counts[key], "num");
    cell(row, percent(counts.percent_done), "num");
    return row;
  }

  function showProgress(report) {
    const table = $("tk-progress-table");
    table.tBodies[0].replaceChildren();
    table.tFoot.replaceChildren();
    $("tk-progress").hidden = !report;
    if (!report) return;
    for (const unit of report.units) {
      const row = progressRow(table.tBodies[0], `${unit.unit_words.vi} / ${unit.unit_words.en}`, unit);
      row.dataset.unit = unit.unit;
      if (unit.overdue) row.classList.add("overdue");
    }
    progressRow(table.tFoot, "Toàn chương trình / Whole programme", report.totals);
  }

  // --- the task list ------------------------------------------------------------------------------------------
  function statusText(task) {
    let text = `${task.status_words.vi} / ${task.status_words.en}`;
    if (task.completed_on) text += ` — ${ddmmyyyy(task.completed_on)}`;
    return text;
  }

  function showTasks(list) {
    state.tasks = list.tasks;
    const body = $("tk-list").tBodies[0];
    body.replaceChildren();
    document.querySelectorAll(".tk-edit-col").forEach((th) => { th.hidden = !options.editor; });
    list.tasks.forEach((task, index) => {
      const row = body.insertRow();
      row.dataset.task = String(task.id);
      if (task.overdue) row.classList.add("overdue");
      else if (task.due_soon) row.classList.add("due-soon");
      cell(row, index + 1, "num");
      const title = cell(row, task.title_vi);
      if (task.title_en) {
        const en = document.createElement("small");
        en.textContent = task.title_en;
        title.append(document.createElement("br"), en);
      }
      cell(row, `${task.lead_unit_words.vi} / ${task.lead_unit_words.en}`);
      cell(row, task.coordinating_units || "");
      const due = cell(row, `${task.due_words.vi} / ${task.due_words.en}`);
      const flag = document.createElement("span");
      flag.className = "tk-flag";
      if (task.overdue) flag.textContent = "Quá hạn / Overdue";
      else if (task.due_soon) flag.textContent = `Đến hạn ${ddmmyyyy(task.due_end)} / Due ${ddmmyyyy(task.due_end)}`;
      else if (task.done_late) flag.textContent = "Hoàn thành chậm / Done late";
      if (flag.textContent) due.append(flag);
      cell(row, task.submitted_to_words ? `${task.submitted_to_words.vi} / ${task.submitted_to_words.en}` : "");
      cell(row, statusText(task), "tk-status");
      if (options.editor) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "tk-edit";
        button.textContent = "Cập nhật / Update";
        button.addEventListener("click", () => openEditor(task, row));
        cell(row, "").append(button);
      }
    });
    $("tk-empty").hidden = list.tasks.length > 0;
  }

  // --- editors: status and completion date ---------------------------------------------------------------------
  function closeEditors() {
    document.querySelectorAll(".tk-editor-row").forEach((r) => r.remove());
  }

  async function readTask(id) {
    const response = await fetch(`${ITEMS}/${encodeURIComponent(id)}?f=geojson`, {
      credentials: "same-origin", headers: { Accept: "application/geo+json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.description || `HTTP ${response.status}`);
    return { etag: response.headers.get("ETag"), properties: body.properties };
  }

  function openEditor(task, row) {
    closeEditors();
    const editorRow = $("tk-editor").content.firstElementChild.cloneNode(true);
    const form = editorRow.querySelector("form");
    const status = form.elements.status;
    for (const s of options.statuses) status.add(new Option(`${s.vi} / ${s.en}`, s.value));
    status.value = task.status;
    form.elements.completed_on.value = task.completed_on || "";
    const error = form.querySelector(".tk-error");
    status.addEventListener("change", () => {
      if (status.value === "done" && !form.elements.completed_on.value) {
        form.elements.completed_on.value = new Date().toISOString().slice(0, 10);
      }
    });
    form.querySelector(".tk-cancel").addEventListener("click", closeEditors);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(task, form, error);
    });
    row.after(editorRow);
    status.focus();
  }

  async function save(task, form, error) {
    const status = form.elements.status.value;
    const completed = form.elements.completed_on.value || null;
    error.textContent = "";
    if (status === "done" && !completed) {
      error.textContent = "Nhiệm vụ đã hoàn thành cần ngày hoàn thành / A task marked done needs its completion date";
      return;
    }
    const words = options.statuses.find((s) => s.value === status);
    const question = `Cập nhật nhiệm vụ “${task.title_vi}”: ${words.vi}` +
      `${completed ? `, hoàn thành ngày ${ddmmyyyy(completed)}` : ""}? / Update the task: ${words.en}` +
      `${completed ? `, completed on ${ddmmyyyy(completed)}` : ""}?`;
    if (!window.confirm(question)) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const current = await readTask(task.id);
      const response = await fetch(`${ITEMS}/${encodeURIComponent(task.id)}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/geo+json", "If-Match": current.etag },
        body: JSON.stringify({ type: "Feature", properties: { status, completed_on: completed } }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.description || `HTTP ${response.status}`);
      }
      closeEditors();
      await load();
      $("tk-status-line").textContent = `Đã cập nhật nhiệm vụ / Task updated: ${task.title_vi} — ${words.vi} / ${words.en}`;
    } catch (e) {
      error.textContent = `${e.message} — chưa lưu / not saved`;
    } finally {
      button.disabled = false;
    }
  }

  // --- wiring -------------------------------------------------------------------------------------------------
  fillChoices();
  fromAddress();
  $("tk-province").addEventListener("change", () => { fillUnits($("tk-unit").value); load(); });
  $("tk-year").addEventListener("change", () => { fillDue($("tk-due").value); load(); });
  for (const id of ["tk-unit", "tk-status", "tk-due", "tk-overdue"]) $(id).addEventListener("change", load);
  load();
})();
