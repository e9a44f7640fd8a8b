// The zone map: every layer in a panel grouped by theme with its legend, search, zoom to places, plan date.
(function () {
  "use strict";
  const Z = window.ZoneAtlasMaps;

  // Drawing order: big areas at the bottom, plots above them, points on top.
  const Z_ORDER = {
    economic_zones: 410, functional_areas: 420, industrial_parks: 430, land_plots: 440, clearance_parcels: 445,
    transport_lines: 450, logistics_centres: 460, transport_nodes: 470, border_gates: 480, projects: 490,
  };

  function tileUrl(ctx, layer) {
    const params = new URLSearchParams();
    if (layer.versioned && ctx.state.d) params.set("datetime", ctx.state.d);
    const query = params.toString();
    return layer.tiles + (query ? `?${query}` : "");
  }

  function plotPopup(ctx, layer, props) {
    return ctx.fetchJSON(`/api/plots/${encodeURIComponent(props.uid)}`).then((plot) => {
      const base = Z.popupHtml(ctx, layer, { ...props, name_vi: plot.name_vi, name_en: plot.name_en }, plot.id);
      const park = plot.park
        ? `<div><b>${Z.escapeHtml(ctx.t("Khu/cụm công nghiệp", "Park"))}:</b> ${Z.escapeHtml(ctx.title(plot.park))}</div>`
        : "";
      const projects = plot.projects.length
        ? `<div><b>${Z.escapeHtml(ctx.t("Dự án", "Projects"))}:</b> ` +
          plot.projects.map((p) => Z.escapeHtml(ctx.title(p))).join("; ") + "</div>"
        : `<div>${Z.escapeHtml(ctx.t("Chưa có dự án", "No project yet"))}</div>`;
      let clearance = "";
      if (plot.clearance) {
        const share = plot.clearance.handed_over_share;
        clearance = `<div><b>${Z.escapeHtml(ctx.t("Giải phóng mặt bằng", "Land clearance"))}:</b> ` +
          `${plot.clearance.parcels} ${Z.escapeHtml(ctx.t("thửa", "parcels"))}` +
          (share === null ? "" : `, ${(share * 100).toFixed(0)}% ${Z.escapeHtml(ctx.t("đã bàn giao", "handed over"))}`) +
          "</div>";
      }
      return base.replace(/<\/div>$/, `${park}${projects}${clearance}</div>`);
    });
  }

  function projectPopup(ctx, layer, props, id) {
    return ctx.fetchJSON(`/api/projects/${encodeURIComponent(props.uid)}`).then((project) => {
      const plots = project.plots.length
        ? `<div><b>${Z.escapeHtml(ctx.t("Lô đất", "Plots"))}:</b> ` +
          project.plots.map((p) => Z.escapeHtml(p.code)).join(", ") + "</div>"
        : `<div>${Z.escapeHtml(ctx.t("Chưa gắn lô đất", "No plots linked"))}</div>`;
      const park = project.park ? `<div><b>${Z.escapeHtml(ctx.t("Khu công nghiệp", "Park"))}:</b> ` +
        `${Z.escapeHtml(project.park.name_vi || project.park.uid)}</div>` : "";
      return Z.popupHtml(ctx, layer, props, id).replace(/<\/div>$/, `${park}${plots}</div>`);
    });
  }

  function openPopup(ctx, latlng, layer, props, id) {
    if (ctx.measuring) return;
    const popup = L.popup({ maxWidth: 360 }).setLatLng(latlng).setContent(Z.popupHtml(ctx, layer, props, id))
      .openOn(ctx.map);
    let richer = null;
    if (layer.id === "land_plots" && props.uid) richer = plotPopup(ctx, layer, props);
    if (layer.id === "projects" && props.uid) richer = projectPopup(ctx, layer, props, id);
    if (richer) richer.then((html) => popup.setContent(html)).catch((e) => console.warn(e.message));
  }

  function makeGeoJsonLayer(ctx, layer) {
    const group = L.featureGroup();
    const params = new URLSearchParams({ f: "geojson", limit: "10000" });
    if (layer.versioned && ctx.state.d) params.set("datetime", ctx.state.d);
    const pane = `za-${layer.id}`;
    ctx.fetchJSON(`${layer.items}?${params}`).then((fc) => {
      L.geoJSON(fc, {
        pane,
        style: (f) => Z.vectorStyle(layer, f.properties),
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { ...Z.vectorStyle(layer, f.properties), pane }),
        onEachFeature: (f, l) => l.on("click", (e) => openPopup(ctx, e.latlng, layer, f.properties, f.id)),
      }).addTo(group);
      group.fire("za:loaded", { count: fc.features.length });
    }).catch((e) => console.warn(layer.id, e.message));
    return group;
  }

  function makeTileLayer(ctx, layer) {
    const styles = {};
    styles[layer.id] = (props) => Z.vectorStyle(layer, props, { weight: 0.8 });
    const canvas = layer.renderer === "canvas";
    const grid = L.vectorGrid.protobuf(tileUrl(ctx, layer), {
      pane: `za-${layer.id}`,
      rendererFactory: canvas ? L.canvas.tile : L.svg.tile,
      vectorTileLayerStyles: styles,
      interactive: !canvas,  // canvas tiles let clicks through; featureAt asks the API what lies under a click
      minZoom: layer.min_zoom,
      maxNativeZoom: 18,
      getFeatureId: (f) => f.properties.uid || f.properties.id,
      fetchOptions: { credentials: "same-origin" },
    });
    if (canvas) {
      ctx.map.on("click", (e) => { if (ctx.map.hasLayer(grid)) featureAt(ctx, layer, e.latlng); });
    } else {
      grid.on("click", (e) => openPopup(ctx, e.latlng, layer, e.layer.properties, e.layer.properties.id));
    }
    return grid;
  }

  function featureAt(ctx, layer, latlng) {
    if (ctx.measuring) return;
    const point = `POINT(${latlng.lng.toFixed(7)} ${latlng.lat.toFixed(7)})`;
    const params = new URLSearchParams({ f: "geojson", limit: "1", filter: `S_INTERSECTS(geom, ${point})` });
    ctx.fetchJSON(`${layer.items}?${params}`).then((fc) => {
      const feature = fc.features[0];
      if (feature) openPopup(ctx, latlng, layer, feature.properties, feature.id);
    }).catch((e) => console.warn(layer.id, e.message));
  }

  function buildLayerPanel(ctx, active) {
    const container = document.getElementById("za-layers");
    const themes = [...new Set(ctx.config.layers.map((l) => l.theme))];
    const render = () => {
      container.innerHTML = themes.map((theme) => {
        const name = ctx.config.themes[theme] || { vi: theme, en: theme };
        const rows = ctx.config.layers.filter((l) => l.theme === theme).map((l) => {
          const zoomNote = l.mode === "tiles"
            ? ` <small class="text-muted">(${Z.escapeHtml(ctx.t("từ mức phóng", "from zoom"))} ${l.min_zoom})</small>` : "";
          return `<div class="za-layer"><label><input type="checkbox" data-layer="${l.id}"` +
            `${active.has(l.id) ? " checked" : ""}> ${Z.escapeHtml(ctx.title(l))}</label>${zoomNote}` +
            `<div class="za-legend">${Z.legendHtml(ctx, l)}</div></div>`;
        }).join("");
        return `<fieldset class="za-theme"><legend>${Z.escapeHtml(ctx.t(name.vi, name.en))}</legend>${rows}</fieldset>`;
      }).join("");
    };
    render();
    ctx.onLang(render);
    return container;
  }

  function setupSearch(ctx, showLayer) {
    const input = document.getElementById("za-q");
    const list = document.getElementById("za-results");
    let timer = null;
    let seq = 0;
    const run = () => {
      const q = input.value.trim();
      if (q.length < 2) { list.innerHTML = ""; return; }
      const mine = ++seq;
      ctx.fetchJSON(`/api/search?q=${encodeURIComponent(q)}&limit=12`).then((body) => {
        if (mine !== seq) return;
        list.innerHTML = body.hits.map((h, i) => {
          const layer = ctx.layer(h.layer);
          const alias = h.alias ? ` <small>(${Z.escapeHtml(h.alias)})</small>` : "";  // the spelling that matched
          return `<li><a href="#" data-hit="${i}">${Z.escapeHtml(ctx.title(h))}</a>${alias} ` +
            `<small>${Z.escapeHtml(layer ? ctx.title(layer) : h.layer)}${h.context ? " · " + Z.escapeHtml(h.context) : ""}` +
            `</small></li>`;
        }).join("") || `<li>${Z.escapeHtml(ctx.t("Không tìm thấy", "Nothing found"))}</li>`;
        list.querySelectorAll("a[data-hit]").forEach((a) => a.addEventListener("click", (event) => {
          event.preventDefault();
          const hit = body.hits[Number(a.dataset.hit)];
          showLayer(hit.layer);
          Z.fitBox(ctx, hit.bbox, hit.layer === "land_plots" ? 17 : 15);
        }));
      }).catch((e) => { list.innerHTML = `<li class="text-danger">${Z.escapeHtml(e.message)}</li>`; });
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
    document.getElementById("za-search").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  }

  function setupPlaces(ctx) {
    const select = document.getElementById("za-place");
    const render = () => {
      const option = (p) => `<option value="${p.kind}:${Z.escapeHtml(p.code)}">${Z.escapeHtml(ctx.title(p))}</option>`;
      select.innerHTML = `<option value="">${Z.escapeHtml(ctx.t("— Toàn bộ —", "— Everything —"))}</option>` +
        `<optgroup label="${Z.escapeHtml(ctx.t("Tỉnh", "Provinces"))}">` +
        ctx.config.places.filter((p) => p.kind === "province").map(option).join("") + "</optgroup>" +
        `<optgroup label="${Z.escapeHtml(ctx.t("Khu kinh tế", "Economic zones"))}">` +
        ctx.config.places.filter((p) => p.kind === "zone").map(option).join("") + "</optgroup>";
    };
    render();
    ctx.onLang(render);
    select.addEventListener("change", () => {
      const place = ctx.config.places.find((p) => `${p.kind}:${p.code}` === select.value);
      Z.fitBox(ctx, place ? place.bbox : Z.allPlacesBox(ctx));
    });
  }

  Z.pages.zones = function (ctx) {
    const map = ctx.map;
    for (const layer of ctx.config.layers) Z.makePane(map, `za-${layer.id}`, Z_ORDER[layer.id] || 455);
    const requested = ctx.state.l !== undefined ? ctx.state.l.split(",").filter(Boolean) : ctx.config.default_layers;
    const active = new Set(requested.filter((id) => ctx.layer(id)));
    const drawn = {};
    ctx.layersOnMap = drawn;
    // Names follow the layers ticked in the panel (a layer drawn from a minimum zoom is named from there on).
    ctx.labelReference = [];
    ctx.labelLayers = () => ctx.config.layers.filter((l) => active.has(l.id) && map.getZoom() >= l.min_zoom)
      .map((l) => l.id);
    ctx.labelDate = () => ctx.state.d || "";

    const make = (layer) => (layer.mode === "tiles" ? makeTileLayer(ctx, layer) : makeGeoJsonLayer(ctx, layer));
    const sync = () => {
      for (const layer of ctx.config.layers) {
        if (active.has(layer.id) && !drawn[layer.id]) drawn[layer.id] = make(layer).addTo(map);
        if (!active.has(layer.id) && drawn[layer.id]) { map.removeLayer(drawn[layer.id]); delete drawn[layer.id]; }
      }
      ctx.setState({ l: [...active].join(",") });
      if (ctx.labels) ctx.labels.refresh();
    };
    const showLayer = (id) => {
      if (!ctx.layer(id) || active.has(id)) return;
      active.add(id);
      const box = document.querySelector(`input[data-layer="${id}"]`);
      if (box) box.checked = true;
      sync();
    };

    const panel = buildLayerPanel(ctx, active);
    panel.addEventListener("change", (event) => {
      const id = event.target.dataset.layer;
      if (!id) return;
      if (event.target.checked) active.add(id); else active.delete(id);
      sync();
    });

    const dateInput = document.getElementById("za-date");
    dateInput.value = ctx.state.d || "";
    dateInput.addEventListener("change", () => {
      ctx.setState({ d: dateInput.value });
      for (const layer of ctx.config.layers) {
        if (layer.versioned && drawn[layer.id]) { map.removeLayer(drawn[layer.id]); delete drawn[layer.id]; }
      }
      sync();
    });

    setupSearch(ctx, showLayer);
    setupPlaces(ctx);
    Z.restoreView(ctx, () => Z.fitBox(ctx, Z.allPlacesBox(ctx)));
    sync();
  };
})();
