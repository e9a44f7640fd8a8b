// Land clearance (staff): parcels coloured by stage from vector tiles, filtered by project and stage; a panel
// with the project's figures and a Chart.js chart of the area that reached each stage over time.
(function () {
  "use strict";
  const Z = window.ZoneAtlasMaps;

  function figuresTable(ctx, f) {
    const ha = (v) => `${v.toLocaleString("vi-VN", { maximumFractionDigits: 2 })} ha`;
    const vnd = (v) => `${v.toLocaleString("vi-VN")} ₫`;
    const rows = [
      ["households_affected", ctx.t("Số hộ bị ảnh hưởng", "Households affected"), f.households_affected],
      ["households_to_resettle", ctx.t("Số hộ phải tái định cư", "Households to resettle"), f.households_to_resettle],
      ["households_resettled", ctx.t("Số hộ đã tái định cư", "Households resettled"), f.households_resettled],
      ["total_ha", ctx.t("Tổng diện tích thu hồi", "Total area to clear"), ha(f.total_ha)],
      ["cleared_ha", ctx.t("Đã giải phóng (đã chi trả)", "Cleared (compensation paid)"), ha(f.cleared_ha)],
      ["handed_over_ha", ctx.t("Đã bàn giao mặt bằng", "Handed over"), ha(f.handed_over_ha)],
      ["approved_vnd", ctx.t("Kinh phí được duyệt", "Compensation approved"), vnd(f.approved_vnd)],
      ["paid_vnd", ctx.t("Đã chi trả", "Compensation paid"), vnd(f.paid_vnd)],
      ["enforcement_parcels", ctx.t("Thửa phải cưỡng chế", "Parcels under enforcement"), f.enforcement_parcels],
    ];
    const share = f.approved_vnd ? ` (${(100 * f.paid_vnd / f.approved_vnd).toFixed(1)}%)` : "";
    return `<h2 class="h6">${Z.escapeHtml(ctx.title(f))}</h2>` +
      `<p class="small text-muted">${Z.escapeHtml(ctx.t("Số liệu đến ngày", "Figures as of"))} ${Z.formatValue(f.as_of)} · ` +
      `${f.parcels} ${Z.escapeHtml(ctx.t("thửa", "parcels"))}</p><table class="za-figures" id="za-figures-table">` +
      rows.map(([key, label, value]) => `<tr data-key="${key}"><th>${Z.escapeHtml(label)}</th><td>` +
        `${Z.escapeHtml(value)}${key === "paid_vnd" ? share : ""}</td></tr>`).join("") + "</table>";
  }

  function chartData(ctx, f, layer) {
    const dates = [...new Set(Object.values(f.history).flat().map((p) => p.date))].sort();
    const datasets = Object.entries(f.history).map(([stage, points]) => {
      const cls = layer.legend.classes.find((c) => c.value === stage);
      let i = 0;
      let last = 0;
      const data = dates.map((d) => {
        while (i < points.length && points[i].date <= d) { last = points[i].ha; i += 1; }
        return Number(last.toFixed(4));
      });
      return { label: cls ? ctx.t(cls.vi, cls.en) : stage, stage, data, stepped: true, pointRadius: 0,
        borderColor: cls ? cls.colour : "#555", backgroundColor: cls ? cls.colour : "#555", borderWidth: 2 };
    });
    return { labels: dates, datasets };
  }

  Z.pages.clearance = function (ctx) {
    const map = ctx.map;
    const layer = ctx.layer("clearance_parcels");
    const projectSelect = document.getElementById("za-project");
    const stageSelect = document.getElementById("za-stage");
    Z.makePane(map, "za-parcels", 440);
    let grid = null;
    let chart = null;
    let figures = null;

    const project = () => ctx.config.projects.find((p) => p.uid === projectSelect.value);
    const renderSelects = () => {
      const pv = projectSelect.value || ctx.state.project || (ctx.config.projects[0] || {}).uid || "";
      const sv = stageSelect.value || ctx.state.stage || "";
      projectSelect.innerHTML = ctx.config.projects.map((p) =>
        `<option value="${Z.escapeHtml(p.uid)}">${Z.escapeHtml(p.uid)} — ${Z.escapeHtml(ctx.title(p))}</option>`).join("");
      stageSelect.innerHTML = `<option value="">${Z.escapeHtml(ctx.t("Tất cả", "All"))}</option>` +
        layer.legend.classes.map((c) => `<option value="${c.value}">${Z.escapeHtml(ctx.t(c.vi, c.en))}</option>`).join("");
      projectSelect.value = pv;
      stageSelect.value = sv;
    };

    const drawTiles = () => {
      if (grid) map.removeLayer(grid);
      const p = project();
      const conditions = [];
      if (p) conditions.push(`project_id = ${Number(p.id)}`);
      if (stageSelect.value) conditions.push(`stage = '${stageSelect.value.replace(/'/g, "''")}'`);
      const query = conditions.length ? `?${new URLSearchParams({ filter: conditions.join(" AND ") })}` : "";
      const styles = {};
      styles[layer.id] = (props) => Z.vectorStyle(layer, props, { weight: 0.6 });
      grid = L.vectorGrid.protobuf(layer.tiles + query, {
        pane: "za-parcels", rendererFactory: L.svg.tile, vectorTileLayerStyles: styles, interactive: true,
        minZoom: layer.min_zoom, maxNativeZoom: 18, getFeatureId: (f) => f.properties.id,
        fetchOptions: { credentials: "same-origin" },
      }).addTo(map);
      grid.on("click", (e) => {
        if (ctx.measuring) return;
        L.popup().setLatLng(e.latlng).setContent(Z.popupHtml(ctx, layer, e.layer.properties, e.layer.properties.id))
          .openOn(map);
      });
    };

    const drawChart = () => {
      if (!figures) return;
      const data = chartData(ctx, figures, layer);
      if (chart) chart.destroy();
      chart = new Chart(document.getElementById("za-chart"), {
        type: "line", data,
        options: { animation: false, responsive: true, interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true, title: { display: true, text: "ha" } },
            x: { ticks: { maxTicksLimit: 8, callback(value) { return Z.formatValue(this.getLabelForValue(value)); } } } },
          plugins: { legend: { labels: { boxWidth: 12, font: { size: 11 } } } } },
      });
      ctx.chart = chart;
    };

    const loadFigures = () => {
      const p = project();
      if (!p) return;
      ctx.fetchJSON(`/api/projects/${encodeURIComponent(p.uid)}/clearance`).then((f) => {
        figures = f;
        document.getElementById("za-figures").innerHTML = figuresTable(ctx, f);
        drawChart();
        document.body.dataset.clearanceReady = p.uid;
      }).catch((e) => { document.getElementById("za-figures").textContent = e.message; });
      document.querySelectorAll(".za-report").forEach((a) => {
        a.href = `/api/reports/clearance?f=${a.dataset.format}&project=${encodeURIComponent(p.uid)}`;
      });
    };

    const update = (zoom) => {
      ctx.setState({ project: projectSelect.value, stage: stageSelect.value });
      drawTiles();
      loadFigures();
      const p = project();
      if (zoom && p) Z.fitBox(ctx, p.bbox);
    };

    renderSelects();
    ctx.onLang(() => { renderSelects(); if (figures) { document.getElementById("za-figures").innerHTML = figuresTable(ctx, figures); drawChart(); } });
    projectSelect.addEventListener("change", () => update(true));
    stageSelect.addEventListener("change", () => update(false));
    document.getElementById("za-legend").innerHTML = `<div class="za-legend">${Z.legendHtml(ctx, layer)}</div>`;
    Z.restoreView(ctx, () => { const p = project(); if (p) Z.fitBox(ctx, p.bbox); else Z.fitBox(ctx, Z.allPlacesBox(ctx)); });
    update(false);
  };
})();
