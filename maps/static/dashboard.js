/* The leadership dashboard: filters → JSON APIs → headline cards and Chart.js charts. Staff-only APIs are asked
   only when the page says the reader is staff (anonymous readers see the public part and make no 401 calls). */
(() => {
  "use strict";
  const options = JSON.parse(document.getElementById("dashboard-options").textContent);
  const $ = (id) => document.getElementById(id);
  const number = (value, digits = 1) =>
    new Intl.NumberFormat("vi-VN", { maximumFractionDigits: digits }).format(value);
  const signed = (value, digits = 1) => (value > 0 ? "+" : "") + number(value, digits);
  const charts = {};
  const CARDS = [
    { key: "revenue_vnd", vi: "Doanh thu", en: "Revenue", scale: 1e9, unit: "tỷ đồng", flow: true },
    { key: "exports_usd", vi: "Kim ngạch xuất khẩu", en: "Exports", scale: 1e6, unit: "triệu USD", flow: true },
    { key: "budget_vnd", vi: "Nộp ngân sách", en: "State budget", scale: 1e9, unit: "tỷ đồng", flow: true },
    { key: "workers", vi: "Lao động", en: "Workers", scale: 1, unit: "người", flow: false },
    { key: "new_jobs", vi: "Việc làm mới", en: "New jobs", scale: 1, unit: "người", flow: true },
  ];

  function fill(select, items, keep) {
    const first = select.options[0];
    select.replaceChildren(first);
    for (const item of items) select.add(new Option(`${item.name_vi} / ${item.name_en}`, item.code));
    select.value = items.some((i) => i.code === keep) ? keep : "";
  }

  function chosen() {
    return { province: $("f-province").value, zone: $("f-zone").value, park: $("f-park").value };
  }

  function narrowChoices() {
    const { province, zone } = chosen();
    fill($("f-zone"), options.zones.filter((z) => !province || z.province_code === province), zone);
    const zoneNow = $("f-zone").value;
    const parks = options.parks.filter(
      (p) => (!province || p.province_code === province) && (!zoneNow || p.zone_uid === zoneNow),
    );
    fill($("f-park"), parks, $("f-park").value);
  }

  async function getJson(path, params) {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null));
    const response = await fetch(`${path}?${query}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function cardValue(totals, card, suffix) {
    if (card.key !== "workers") return totals[card.key + suffix];
    const d = totals["workers_domestic" + suffix];
    const f = totals["workers_foreign" + suffix];
    return d === null && f === null ? null : (d || 0) + (f || 0);
  }

  function showCards(report) {
    const t = report.totals;
    const cards = CARDS.map((card) => {
      const value = cardValue(t, card, "");
      const box = document.createElement("article");
      box.className = "dash-card";
      box.dataset.measure = card.key;
      const title = document.createElement("h2");
      title.textContent = `${card.vi} / ${card.en}`;
      const main = document.createElement("div");
      main.className = "value";
      main.textContent = value === null ? "—" : `${number(value / card.scale)} ${card.unit}`;
      if (card.flow && t.includes_estimates && value !== null) {
        const est = document.createElement("span");
        est.className = "est";
        est.textContent = "ước / est.";
        main.append(est);
      }
      box.append(title, main);
      const lines = [];
      if (card.key === "workers" && value !== null) {
        lines.push(
          `${number(t.workers_domestic || 0)} trong nước / domestic · ${number(t.workers_foreign || 0)} nước ngoài / foreign`,
        );
      }
      const before = cardValue(t, card, "_previous");
      if (value !== null && before !== null) {
        const pct = before ? ` (${signed((100 * (value - before)) / before)} %)` : "";
        lines.push(`${signed((value - before) / card.scale)} ${card.unit}${pct} so với / on ${report.year - 1}`);
      }
      const ofTarget = card.key === "workers" ? null : t[card.key + "_pct_of_target"];
      if (ofTarget !== null && ofTarget !== undefined) lines.push(`${number(ofTarget)} % kế hoạch / of target`);
      for (const line of lines) {
        const sub = document.createElement("div");
        sub.className = "sub";
        sub.textContent = line;
        box.append(sub);
      }
      return box;
    });
    $("dash-cards").replaceChildren(...cards);
  }

  function draw(id, type, labels, datasets, extra = {}) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), {
      type,
      data: { labels, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...extra },
    });
  }

  async function trendData(where) {
    return Promise.all(options.years.map((year) => getJson("/api/reports/enterprises", { year, ...where })));
  }

  function showTrend(reports) {
    const years = reports.map((r) => String(r.year));
    const scaled = (key, scale) => reports.map((r) => (r.totals[key] === null ? null : r.totals[key] / scale));
    draw("chart-trend", "line", years, [
      { label: "Doanh thu (tỷ đồng) / Revenue (billion VND)", data: scaled("revenue_vnd", 1e9), yAxisID: "y" },
      { label: "Xuất khẩu (triệu USD) / Exports (million USD)", data: scaled("exports_usd", 1e6), yAxisID: "y1" },
    ], { scales: { y: { position: "left" }, y1: { position: "right", grid: { drawOnChartArea: false } } } });
  }

  function showParks(report) {
    const rows = report.rows.filter((r) => r.revenue_vnd !== null);
    draw("chart-parks", "bar", rows.map((r) => r.name_vi), [
      { label: "Doanh thu (tỷ đồng) / Revenue (billion VND)", data: rows.map((r) => r.revenue_vnd / 1e9) },
    ], { indexAxis: "y" });
    const t = report.totals;
    draw("chart-workers", "doughnut", ["Trong nước / Domestic", "Nước ngoài / Foreign"], [
      { label: "Lao động / Workers", data: [t.workers_domestic || 0, t.workers_foreign || 0] },
    ]);
  }

  function showOccupancy(body, where) {
    const parks = body.parks.filter(
      (p) =>
        (!where.province || p.province_code === where.province || p.province_now_code === where.province) &&
        (!where.zone || (p.zone && p.zone.uid === where.zone)) &&
        (!where.park || p.uid === where.park) &&
        p.occupancy_pct !== null,
    );
    draw("chart-occupancy", "bar", parks.map((p) => p.name_vi), [
      { label: "Tỷ lệ lấp đầy (%) / Occupancy (%)", data: parks.map((p) => p.occupancy_pct) },
    ], { indexAxis: "y", scales: { x: { min: 0, max: 100 } } });
  }

  function showTasks(body) {
    const units = new Map();
    for (const task of body.tasks) {
      if (task.status === "done" || task.status === "cancelled") continue;
      const words = task.lead_unit_words;
      const name = (words && (words.vi || words)) || task.lead_unit;
      const counts = units.get(name) || { due: 0, overdue: 0 };
      counts[task.overdue ? "overdue" : "due"] += 1;
      units.set(name, counts);
    }
    const names = [...units.keys()];
    draw("chart-tasks", "bar", names, [
      { label: "Đang thực hiện / Due", data: names.map((n) => units.get(n).due) },
      { label: "Quá hạn / Overdue", data: names.map((n) => units.get(n).overdue) },
    ], { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } });
  }

  function showClearance(body) {
    const rows = body.rows;
    draw("chart-clearance", "bar", rows.map((r) => r.name_vi), [
      { label: "Tổng (ha) / Total (ha)", data: rows.map((r) => r.total_ha) },
      { label: "Đã thu hồi (ha) / Cleared (ha)", data: rows.map((r) => r.cleared_ha) },
      { label: "Đã bàn giao (ha) / Handed over (ha)", data: rows.map((r) => r.handed_over_ha) },
    ]);
  }

  let asked = 0; // the latest refresh wins: an answer to an older filter is dropped

  async function refresh() {
    const where = chosen();
    const year = Number($("f-year").value);
    const mine = ++asked;
    $("dash-status").textContent = "Đang tải… / Loading…";
    try {
      const [report, trend, parks, tasks, clearance] = await Promise.all([
        getJson("/api/reports/enterprises", { year, ...where }),
        trendData(where),
        getJson("/api/parks", {}),
        options.staff ? getJson("/api/tasks", { year, province: where.province }) : null,
        options.staff ? getJson("/api/reports/clearance", {}) : null,
      ]);
      if (mine !== asked) return;
      showCards(report);
      showParks(report);
      showTrend(trend);
      showOccupancy(parks, where);
      if (tasks) showTasks(tasks);
      if (clearance) showClearance(clearance);
      $("dash-status").textContent = "";
      document.body.dataset.dashboardReady = `${year}|${where.province}|${where.zone}|${where.park}`;
    } catch (error) {
      if (mine !== asked) return;
      $("dash-status").textContent = `Không tải được số liệu / Could not load the figures (${error.message})`;
    }
  }

  fill($("f-province"), options.provinces, "");
  narrowChoices();
  for (const year of options.years) $("f-year").add(new Option(String(year), String(year)));
  if (options.default_year !== null) $("f-year").value = String(options.default_year);
  $("f-province").addEventListener("change", () => { narrowChoices(); refresh(); });
  $("f-zone").addEventListener("change", () => { narrowChoices(); refresh(); });
  $("f-park").addEventListener("change", refresh);
  $("f-year").addEventListener("change", refresh);
  if (options.default_year !== null) refresh();
  else $("dash-status").textContent = "Chưa có số liệu / No figures yet.";
})();
