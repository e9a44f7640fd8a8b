/* The leadership dashboard: filters → JSON APIs → headline cards and Chart.js charts. Staff-only APIs are asked
   only when the page says the reader is staff (anonymous readers see the public part and make no 401 calls). */
(() => {
  "use strict";
  const options = JSON.parse(document.getElementById("dashboard-options").textContent);
  const $ = (id) => document.getElementById(id);
  const number = (value, digits = 1) =>
    new Intl.NumberFormat("vi-VN", { maximumFractionDigits: digits }).format(value);
  const signed = (value, digits = 1) => (value > 0 ? "+" : "") + number(value, digits);
  const ddmmyyyy = (iso) => (iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10).split("-").reverse().join("/") : "");
  const charts = {};
  const CAPITAL = [
    { currency: "vnd", scale: 1e9, unit: "tỷ đồng", unitEn: "billion VND" },
    { currency: "usd", scale: 1e6, unit: "triệu USD", unitEn: "million USD" },
  ];
  const ILLUSTRATIVE = "số liệu minh họa / illustrative";

  // Every chart speaks Vietnamese numbers: axes through Chart.js's locale, tooltips through number() (1.503,2).
  Chart.defaults.locale = "vi-VN";
  Chart.defaults.plugins.tooltip.callbacks.title = (items) => {
    const first = items[0];
    const names = first && first.chart.data.fullNames;
    return names ? names[first.dataIndex] : first ? first.label : "";
  };
  Chart.defaults.plugins.tooltip.callbacks.label = (item) => {
    const value = typeof item.parsed === "number" ? item.parsed : item.chart.options.indexAxis === "y"
      ? item.parsed.x : item.parsed.y;
    if (value === null || value === undefined) return `${item.dataset.label}: —`;
    const digits = item.dataset.digits === undefined ? 1 : item.dataset.digits;
    return `${item.dataset.label}: ${number(value, digits)}`;
  };
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
    if (!response.ok) {
      let said = "";
      try { said = (await response.json()).description || ""; } catch { /* not JSON: the status says enough */ }
      throw new Error(`máy chủ trả lời ${response.status} / the server answered ${response.status}${said ? ": " + said : ""}`);
    }
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

  function draw(id, type, labels, datasets, extra = {}, fullNames = null) {
    if (charts[id]) charts[id].destroy();
    const { plugins, ...rest } = extra;
    charts[id] = new Chart($(id), {
      type,
      data: { labels, datasets, fullNames },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: plugins || {}, ...rest },
    });
    const empty = $(id).parentElement.querySelector(".dash-empty");
    if (empty) empty.hidden = labels.length > 0;
  }

  /** Mark a chart's caption (and the page) when what it shows counts invented figures. */
  function flagIllustrative(figureId, illustrative) {
    const figure = $(figureId);
    if (!figure) return;
    figure.dataset.illustrative = illustrative ? "true" : "false";
    let tag = figure.querySelector(".dash-illus");
    if (illustrative && !tag) {
      tag = document.createElement("span");
      tag.className = "dash-illus";
      tag.textContent = ILLUSTRATIVE;
      figure.querySelector("figcaption").append(" ", tag);
    } else if (!illustrative && tag) {
      tag.remove();
    }
  }

  const bothNames = (row) => (row.name_en && row.name_en !== row.name_vi ? `${row.name_vi} / ${row.name_en}` : row.name_vi);

  /** The totals of every year from the first with figures to the latest (at most options.trend_years), one call. */
  async function trendData(where) {
    const last = options.years[options.years.length - 1];
    const first = Math.max(options.years[0], last - options.trend_years + 1);
    return getJson("/api/reports/enterprises/trend", { from: first, to: last, ...where });
  }

  function showTrend(trend) {
    flagIllustrative("dash-trend", trend.includes_illustrative);
    const years = trend.years.map((y) => String(y.year));
    const scaled = (key, scale) => trend.years.map((y) => (y[key] === null ? null : y[key] / scale));
    draw("chart-trend", "line", years, [
      { label: "Doanh thu (tỷ đồng) / Revenue (billion VND)", data: scaled("revenue_vnd", 1e9), yAxisID: "y" },
      { label: "Xuất khẩu (triệu USD) / Exports (million USD)", data: scaled("exports_usd", 1e6), yAxisID: "y1" },
    ], {
      scales: { y: { position: "left" }, y1: { position: "right", grid: { drawOnChartArea: false } } },
      plugins: {
        tooltip: {
          callbacks: {
            afterBody: (items) => (items.length && trend.years[items[0].dataIndex].includes_estimates ? "ước / est." : ""),
          },
        },
      },
    });
    return trend.includes_illustrative;
  }

  function showParks(report) {
    const rows = report.rows.filter((r) => r.revenue_vnd !== null);
    draw("chart-parks", "bar", rows.map((r) => r.name_vi), [
      { label: "Doanh thu (tỷ đồng) / Revenue (billion VND)", data: rows.map((r) => r.revenue_vnd / 1e9) },
    ], { indexAxis: "y" }, rows.map(bothNames));
    const t = report.totals;
    draw("chart-workers", "doughnut", ["Trong nước / Domestic", "Nước ngoài / Foreign"], [
      { label: "Lao động (người) / Workers", data: [t.workers_domestic || 0, t.workers_foreign || 0], digits: 0 },
    ]);
    flagIllustrative("dash-parks", rows.some((r) => r.includes_illustrative));
    flagIllustrative("dash-workers", t.includes_illustrative);
  }

  /** Registered vs implemented capital per park, one chart per currency (projects register in VND or in USD). */
  function showCapital(report) {
    const t = report.totals;
    let illustrative = false;
    for (const money of CAPITAL) {
      const registered = `registered_capital_${money.currency}`;
      const implemented = `implemented_capital_${money.currency}`;
      const rows = report.rows.filter((r) => r[registered] !== null || r[implemented] !== null);
      illustrative = illustrative || rows.some((r) => r.includes_illustrative);
      const share = (row) => (row[registered] && row[implemented] !== null ? (100 * row[implemented]) / row[registered] : null);
      draw(`chart-capital-${money.currency}`, "bar", rows.map((r) => r.name_vi), [
        { label: `Vốn đăng ký (${money.unit}) / Registered (${money.unitEn})`, data: rows.map((r) => r[registered] === null ? null : r[registered] / money.scale) },
        { label: `Vốn thực hiện (${money.unit}) / Implemented (${money.unitEn})`, data: rows.map((r) => r[implemented] === null ? null : r[implemented] / money.scale) },
      ], {
        indexAxis: "y",
        plugins: {
          tooltip: {
            callbacks: {
              afterBody: (items) => {
                const pct = items.length ? share(rows[items[0].dataIndex]) : null;
                return pct === null ? "" : `Thực hiện ${number(pct)} % vốn đăng ký / ${number(pct)} % of registered implemented`;
              },
            },
          },
        },
      }, rows.map(bothNames));
      const line = $(`capital-total-${money.currency}`);
      const reg = t[registered];
      const done = t[implemented];
      if (reg === null && done === null) {
        line.textContent = "";
        continue;
      }
      const implementedShare = reg && done !== null ? ` (${number((100 * done) / reg)} %)` : "";
      const parts = [
        `Tổng / Total: đăng ký / registered ${reg === null ? "—" : number(reg / money.scale)} ${money.unit}`,
        `thực hiện / implemented ${done === null ? "—" : number(done / money.scale)} ${money.unit}${implementedShare}`,
      ];
      const change = t[`${implemented}_change`];
      if (change !== null) {
        const pct = t[`${implemented}_change_pct`];
        parts.push(`thực hiện ${signed(change / money.scale)} ${money.unit}${pct === null ? "" : ` (${signed(pct)} %)`} so với / on ${report.year - 1}`);
      }
      line.textContent = parts.join(" · ");
    }
    flagIllustrative("dash-capital", illustrative);
  }

  function showOccupancy(body) {
    const parks = body.parks.filter((p) => p.occupancy_pct !== null); // the server narrowed them to the filter
    draw("chart-occupancy", "bar", parks.map((p) => p.name_vi), [
      { label: "Tỷ lệ lấp đầy (%) / Occupancy (%)", data: parks.map((p) => p.occupancy_pct) },
    ], { indexAxis: "y", scales: { x: { min: 0, max: 100 } } }, parks.map(bothNames));
  }

  function showTasks(body) {
    const units = new Map();
    for (const task of body.tasks) {
      if (task.status === "done" || task.status === "cancelled") continue;
      const words = task.lead_unit_words || {};
      const name = words.vi || "Chưa ghi đơn vị / Unit not recorded";
      const counts = units.get(name) || { due: 0, overdue: 0, en: words.en };
      counts[task.overdue ? "overdue" : "due"] += 1;
      units.set(name, counts);
    }
    const names = [...units.keys()];
    const full = names.map((n) => (units.get(n).en && units.get(n).en !== n ? `${n} / ${units.get(n).en}` : n));
    draw("chart-tasks", "bar", names, [
      { label: "Đang thực hiện / Due", data: names.map((n) => units.get(n).due), digits: 0 },
      { label: "Quá hạn / Overdue", data: names.map((n) => units.get(n).overdue), digits: 0 },
    ], { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }, full);
  }

  /** Clearance per province when no place is chosen, else per project of the chosen province, zone or park. */
  function showClearance(body, where) {
    const byProject = Boolean(where.province || where.zone || where.park);
    const groups = new Map();
    for (const row of body.rows) {
      const name = byProject ? row.name_vi : row.province_name_vi || "Chưa rõ tỉnh / Province not recorded";
      const sum = groups.get(name) || { total_ha: 0, cleared_ha: 0, handed_over_ha: 0, parcels: 0 };
      for (const key of Object.keys(sum)) sum[key] += row[key] || 0;
      groups.set(name, sum);
    }
    const names = [...groups.keys()];
    const short = names.map((n) => (n.length > 40 ? n.slice(0, 39) + "…" : n));
    const series = (key) => names.map((n) => Math.round(groups.get(n)[key] * 100) / 100);
    draw("chart-clearance", "bar", short, [
      { label: "Tổng (ha) / Total (ha)", data: series("total_ha"), digits: 2 },
      { label: "Đã thu hồi (ha) / Cleared (ha)", data: series("cleared_ha"), digits: 2 },
      { label: "Đã bàn giao (ha) / Handed over (ha)", data: series("handed_over_ha"), digits: 2 },
    ], {
      indexAxis: "y",
      plugins: {
        tooltip: {
          callbacks: {
            afterBody: (items) => {
              const g = items.length ? groups.get(names[items[0].dataIndex]) : null;
              return g && g.total_ha ? `Đã bàn giao ${number((100 * g.handed_over_ha) / g.total_ha)} % / ${number((100 * g.handed_over_ha) / g.total_ha)} % handed over` : "";
            },
          },
        },
      },
    }, names);
    const [week, year] = [body.week.slice(6), body.week.slice(0, 4)];
    $("clearance-when").textContent = `${byProject ? "theo dự án / by project" : "theo tỉnh / by province"} · `
      + `tuần ${Number(week)}/${year}, đến hết ngày ${ddmmyyyy(body.week_end)} / week ${Number(week)}/${year}, to ${ddmmyyyy(body.week_end)}`;
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
        getJson("/api/parks", where),
        options.staff ? getJson("/api/tasks", { year, province: where.province }) : null,
        options.staff ? getJson("/api/reports/clearance", where) : null,
      ]);
      if (mine !== asked) return;
      showCards(report);
      showParks(report);
      showCapital(report);
      const trendIllustrative = showTrend(trend);
      showOccupancy(parks);
      if (tasks) showTasks(tasks);
      if (clearance) showClearance(clearance, where);
      $("dash-illustrative").hidden = !(report.includes_illustrative || trendIllustrative);
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
