// Investment projects by status; projects with a missed or late milestone (as of a date) are highlighted and
// listed from /api/reports/delayed-projects, which also gives the PDF, XLSX and CSV documents.
(function () {
  "use strict";
  const Z = window.ZoneAtlasMaps;
  const DELAYED = "#d7191c";

  Z.pages.projects = function (ctx) {
    const map = ctx.map;
    const layer = ctx.layer("projects");
    const parks = ctx.layer("industrial_parks");
    Z.makePane(map, "za-parks", 410);
    Z.makePane(map, "za-projects", 480);
    const asOf = document.getElementById("za-asof");
    asOf.value = ctx.state.as_of || new Date().toISOString().slice(0, 10);
    const projectsGroup = L.featureGroup().addTo(map);
    const markers = {};
    ctx.projectMarkers = markers;
    let projects = null;
    let report = null;
    ctx.labelLayers = () => ["industrial_parks"];

    ctx.fetchJSON(`${parks.items}?f=geojson&limit=10000`).then((fc) => {
      L.geoJSON(fc, { pane: "za-parks", style: () => Z.vectorStyle(parks, {}),
        onEachFeature: (f, l) => l.bindPopup(Z.popupHtml(ctx, parks, f.properties, f.id)) }).addTo(map);
    });

    // A milestone in words and a date dd/mm/yyyy: the report's codes and ISO dates are never shown as they are.
    const milestone = (code) => {
      const words = (ctx.config.milestone_words || {})[code];
      return words ? ctx.t(words.vi, words.en) : code;
    };
    const day = (iso) => (iso ? Z.formatValue(iso) : "…");

    const popup = (f) => {
      const delays = report ? report.rows.filter((r) => r.project_uid === f.properties.uid) : [];
      const late = delays.length
        ? `<div class="text-danger"><b>${Z.escapeHtml(ctx.t("Chậm tiến độ", "Delayed"))}:</b><br>` +
          delays.map((d) => `${Z.escapeHtml(milestone(d.milestone))}: ${day(d.committed_on)} → ${day(d.actual_on)} ` +
            `(${d.days_late} ${Z.escapeHtml(ctx.t("ngày", "days"))})`).join("<br>") + "</div>" : "";
      return Z.popupHtml(ctx, layer, f.properties, f.id).replace(/<\/div>$/, `${late}</div>`);
    };

    const draw = () => {
      if (!projects || !report) return;
      projectsGroup.clearLayers();
      const delayed = new Set(report.rows.map((r) => r.project_uid));
      L.geoJSON(projects, {
        pane: "za-projects",
        pointToLayer: (f, latlng) => {
          const late = delayed.has(f.properties.uid);
          const style = Z.vectorStyle(layer, f.properties, late
            ? { radius: 10, color: DELAYED, weight: 4, className: "za-delayed-marker" } : { radius: 7 });
          return L.circleMarker(latlng, { ...style, pane: "za-projects" });
        },
        onEachFeature: (f, l) => {
          markers[f.properties.uid] = l;
          l.on("click", () => l.bindPopup(popup(f)).openPopup());
        },
      }).addTo(projectsGroup);
      const byProject = new Map();
      for (const row of report.rows) {
        if (!byProject.has(row.project_uid)) byProject.set(row.project_uid, []);
        byProject.get(row.project_uid).push(row);
      }
      document.getElementById("za-delayed-count").textContent = String(byProject.size);
      document.getElementById("za-delayed").innerHTML = [...byProject.entries()].map(([uid, rows]) =>
        `<li><a href="#" data-project="${Z.escapeHtml(uid)}">${Z.escapeHtml(ctx.t(rows[0].name_vi, rows[0].name_en))}</a>` +
        `<br><small>${rows.map((r) => `${Z.escapeHtml(milestone(r.milestone))} +${r.days_late} ${Z.escapeHtml(ctx.t("ngày", "days"))}`).join(", ")}` +
        `</small></li>`).join("");
      document.querySelectorAll("#za-delayed a[data-project]").forEach((a) => a.addEventListener("click", (e) => {
        e.preventDefault();
        const marker = markers[a.dataset.project];
        if (marker) { map.setView(marker.getLatLng(), 14); marker.fire("click"); }
      }));
      document.body.dataset.projectsReady = asOf.value;
    };

    const loadReport = () => {
      ctx.setState({ as_of: asOf.value });
      const query = new URLSearchParams({ as_of: asOf.value });
      document.querySelectorAll(".za-delayed-doc").forEach((a) => {
        a.href = `/api/reports/delayed-projects?${query}&f=${a.dataset.format}`;
      });
      ctx.fetchJSON(`/api/reports/delayed-projects?${query}`).then((body) => { report = body; draw(); });
    };

    ctx.fetchJSON(`${layer.items}?f=geojson&limit=10000`).then((fc) => { projects = fc; draw(); });
    asOf.addEventListener("change", loadReport);
    document.getElementById("za-legend").innerHTML = `<div class="za-legend">${Z.legendHtml(ctx, layer)}` +
      `<div class="za-legend-row"><span class="za-swatch" style="border:3px solid ${DELAYED};border-radius:50%"></span>` +
      `<span data-vi="Chậm tiến độ" data-en="Delayed">Chậm tiến độ</span></div></div>`;
    ctx.onLang(draw);
    Z.restoreView(ctx, () => Z.fitBox(ctx, Z.allPlacesBox(ctx)));
    loadReport();
  };
})();
