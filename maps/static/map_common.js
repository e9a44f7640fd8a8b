// Shared pieces of the planners' map pages: URL state, language, the offline base and its names (map_base.js),
// the optional remote basemap, coordinates, popups.
// Every page is started by folium's script with ZoneAtlasMaps.start(page, map, config); nothing here loads
// anything from outside the app.
(function () {
  "use strict";

  const pages = {};

  function escapeHtml(value) {
    return String(value ?? "").replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function formatValue(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "boolean") return value ? "Có / Yes" : "Không / No";
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;  // dates dd/mm/yyyy, as the board writes them
    if (typeof value === "number") {
      return Math.abs(value) >= 1000 ? value.toLocaleString("vi-VN", { maximumFractionDigits: 0 })
        : value.toLocaleString("vi-VN", { maximumFractionDigits: 4 });
    }
    return escapeHtml(value);
  }

  // --- URL state: everything that reproduces the view lives in the hash -------------------------------------
  function readState() {
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    const state = {};
    for (const [key, value] of params) state[key] = value;
    return state;
  }

  function writeState(state) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(state)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    const hash = "#" + params.toString();
    if (hash !== window.location.hash) history.replaceState(null, "", hash);
  }

  // --- the context handed to each page ------------------------------------------------------------------------
  function makeContext(page, map, config) {
    const state = readState();
    const langListeners = [];
    const ctx = {
      page, map, config, state,
      lang: state.lang === "en" ? "en" : "vi",
      escapeHtml, formatValue,
      t(vi, en) { return ctx.lang === "en" ? (en || vi) : vi; },
      title(obj) { return ctx.lang === "en" ? (obj.title_en || obj.name_en || obj.title_vi || obj.name_vi)
        : (obj.title_vi || obj.name_vi); },
      setState(changes) { Object.assign(state, changes); writeState(state); },
      onLang(fn) { langListeners.push(fn); },
      layer(id) { return config.layers.find((l) => l.id === id); },
      fetchJSON(url) {
        return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then((r) => {
          if (!r.ok) return r.json().catch(() => ({})).then((body) => {
            throw new Error(body.description || `HTTP ${r.status} ${url}`);
          });
          return r.json();
        });
      },
      setLang(lang) {
        ctx.lang = lang === "en" ? "en" : "vi";
        document.documentElement.lang = ctx.lang;
        for (const el of document.querySelectorAll("[data-vi]")) {
          el.textContent = ctx.lang === "en" ? el.dataset.en : el.dataset.vi;
        }
        for (const button of document.querySelectorAll("[data-lang]")) {
          button.classList.toggle("active", button.dataset.lang === ctx.lang);
        }
        ctx.setState({ lang: ctx.lang });
        langListeners.forEach((fn) => fn(ctx.lang));
      },
    };
    return ctx;
  }

  // --- legend and popups from the layer specs ---------------------------------------------------------------
  function classColour(layer, props) {
    const legend = layer.legend;
    if (legend.by_field && props) {
      const match = legend.classes.find((c) => c.value === props[legend.by_field]);
      if (match) return match.colour;
    }
    return legend.fill;
  }

  function classLabel(ctx, layer, field, value) {
    if (layer.legend.by_field === field) {
      const match = layer.legend.classes.find((c) => c.value === value);
      if (match) return ctx.t(match.vi, match.en);
    }
    const words = ((layer.value_labels || {})[field] || {})[String(value)];  // other codes in words too
    return words ? ctx.t(words.vi, words.en) : value;
  }

  function legendHtml(ctx, layer) {
    // The swatch is drawn as the map draws the layer: a line, an outline (containers) or a fill at its opacity.
    const outline = layer.legend.outline;
    const opacity = layer.legend.fill_opacity ?? 0.45;
    const swatch = (colour, stroke, line) => {
      if (line) return `<span class="za-swatch za-swatch-line" style="border-color:${colour}"></span>`;
      if (outline) return `<span class="za-swatch za-swatch-outline" style="border-color:${colour}"></span>`;
      return `<span class="za-swatch" style="background:${colour};opacity:${Math.max(opacity, 0.6)};` +
        `border-color:${stroke}"></span>`;
    };
    const isLine = (layer.geometry_type || "").includes("Line");
    if (!layer.legend.classes.length) {
      return `<div class="za-legend-row">${swatch(layer.legend.fill, layer.legend.stroke, isLine)}` +
        `${escapeHtml(ctx.title(layer))}</div>`;
    }
    return layer.legend.classes.map((c) =>
      `<div class="za-legend-row">${swatch(c.colour, layer.legend.stroke, isLine)}${escapeHtml(ctx.t(c.vi, c.en))}</div>`
    ).join("");
  }

  function fieldLabel(ctx, field) {
    const label = ctx.config.field_labels[field];
    return label ? ctx.t(label.vi, label.en) : field;
  }

  function popupHtml(ctx, layer, props, featureId) {
    const merged = props.parcels !== undefined  // low-zoom tiles merge parcels; they have no page of their own
      ? ctx.t(`${props.parcels} thửa (gộp)`, `${props.parcels} parcels (merged)`)
      : undefined;
    const name = props.name_vi || props.code || props.parcel_no || merged || featureId;
    const other = props.name_en && ctx.lang === "en" ? `<div class="za-popup-en">${escapeHtml(props.name_en)}</div>` : "";
    const rows = layer.popup_fields.filter((f) => f in props).map((f) =>
      `<tr><th>${escapeHtml(fieldLabel(ctx, f))}</th><td>${formatValue(classLabel(ctx, layer, f, props[f]))}</td></tr>`
    ).join("");
    const link = featureId !== undefined && featureId !== null
      ? `<a href="/collections/${layer.id}/items/${encodeURIComponent(featureId)}?f=html" target="_blank">` +
        `${escapeHtml(ctx.t("Chi tiết", "Details"))}</a>` : "";
    return `<div class="za-popup"><div class="za-popup-layer">${escapeHtml(ctx.title(layer))}</div>` +
      `<h3 class="za-popup-name">${escapeHtml(name)}</h3>${other}<table class="za-popup-table">${rows}</table>` +
      `${link}</div>`;
  }

  function vectorStyle(layer, props, extra) {
    const colour = classColour(layer, props);
    const type = layer.geometry_type || "";
    if (type.includes("Line")) return { color: colour, weight: 3, opacity: 0.9, ...extra };
    if (type.includes("Point")) {
      return { radius: 6, color: layer.legend.stroke, weight: 1.5, fillColor: colour, fillOpacity: 0.9, fill: true,
        ...extra };
    }
    // Containers (zones, parks) are outlines in their colour, so what lies inside keeps its own colour.
    if (layer.legend.outline) {
      return { color: colour, weight: 2.4, opacity: 0.95, fill: true, fillColor: colour, fillOpacity: 0.04,
        radius: 3, ...extra };
    }
    // radius: features too small for the zoom arrive in tiles as points (drawn as small dots, never dropped).
    return { color: layer.legend.stroke, weight: 1.2, fillColor: colour, fillOpacity: layer.legend.fill_opacity ?? 0.45,
      fill: true, radius: 3, ...extra };
  }

  // --- panes, background and basemap ------------------------------------------------------------------------
  function makePane(map, name, zIndex) {
    const pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(zIndex);
    return pane;
  }

  function drawBackground(ctx) {
    // Zone outlines and roads from our own data over the base, never interactive and never filled (a fill would
    // tint the status colours drawn above it).
    makePane(ctx.map, "za-background", 250);
    const group = L.layerGroup().addTo(ctx.map);
    const outline = { pane: "za-background", interactive: false };
    const load = (id, style) => ctx.fetchJSON(`/collections/${id}/items?f=geojson&limit=10000`)
      .then((fc) => L.geoJSON(fc, { ...outline, style }).addTo(group))
      .catch((error) => console.warn("background", id, error.message));
    load("economic_zones", { color: "#9aa7b4", weight: 1, dashArray: "4 3", fill: false });
    load("transport_lines", { color: "#c9b99a", weight: 2 });
    return group;
  }

  // Names on the map: the page's drawn layers (ctx.labelLayers) plus gates, ports and logistics centres on every
  // page (unless the page names its own, ctx.labelReference), in the page's language, for the plan date the page
  // shows (ctx.labelDate).
  const REFERENCE_LABELS = ["border_gates", "transport_nodes", "logistics_centres"];

  function addLabels(ctx) {
    const labelled = new Set(ctx.config.labelled || []);
    ctx.labels = window.ZoneAtlasBase.addLabels(ctx.map, {
      layers: () => (ctx.labelLayers ? ctx.labelLayers() : []).filter((id) => labelled.has(id)),
      reference: (ctx.labelReference || REFERENCE_LABELS).filter((id) => labelled.has(id)),
      lang: () => ctx.lang,
      datetime: () => (ctx.labelDate ? ctx.labelDate() : ""),
    });
    ctx.onLang(() => ctx.labels.render());
  }

  function addBasemap(ctx) {
    if (!ctx.config.basemap) return null;
    let failures = 0;
    const layer = L.tileLayer(ctx.config.basemap, {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors", className: "za-basemap",
    });
    layer.on("tileerror", () => {
      failures += 1;
      if (failures === 4) {  // unreachable (offline): keep our own background only
        ctx.map.removeLayer(layer);
        ctx.map.attributionControl.addAttribution(ctx.t("Không tải được nền bản đồ", "Basemap unavailable"));
      }
    });
    return layer.addTo(ctx.map);
  }

  // --- cursor coordinates: WGS84 and the province's VN-2000 TM-3 --------------------------------------------
  function provinceAt(ctx, latlng) {
    const provinces = ctx.config.places.filter((p) => p.kind === "province" && p.tm3_epsg);
    let best = null;
    let bestDistance = Infinity;
    for (const p of provinces) {
      const [minx, miny, maxx, maxy] = p.bbox;
      const dx = Math.max(minx - latlng.lng, 0, latlng.lng - maxx);
      const dy = Math.max(miny - latlng.lat, 0, latlng.lat - maxy);
      const distance = Math.hypot(dx, dy);
      if (distance < bestDistance) { best = p; bestDistance = distance; }
    }
    return best;
  }

  function addCoordinates(ctx) {
    for (const [name, definition] of Object.entries(ctx.config.proj4)) proj4.defs(name, definition);
    const Control = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd() {
        const div = L.DomUtil.create("div", "za-coords leaflet-control");
        div.id = "za-coords";
        div.textContent = "WGS84 —";
        return div;
      },
    });
    const control = new Control().addTo(ctx.map);
    const show = (latlng) => {
      const div = control.getContainer();
      const wgs = `WGS84 ${latlng.lat.toFixed(6)}, ${latlng.lng.toFixed(6)}`;
      const province = provinceAt(ctx, latlng);
      if (!province) { div.textContent = wgs; return; }
      const crs = `EPSG:${province.tm3_epsg}`;
      const [e, n] = proj4("EPSG:4326", crs, [latlng.lng, latlng.lat]);
      div.dataset.epsg = province.tm3_epsg;
      div.dataset.easting = e.toFixed(2);
      div.dataset.northing = n.toFixed(2);
      div.innerHTML = `${escapeHtml(wgs)}<br>VN-2000 TM-3 ${escapeHtml(crs)} (${escapeHtml(ctx.title(province))}): ` +
        `E ${e.toFixed(1)} N ${n.toFixed(1)}`;
    };
    ctx.map.on("mousemove", (e) => show(e.latlng));
    ctx.showCoordinates = show;
  }

  function fitBox(ctx, bbox, maxZoom) {
    const [minx, miny, maxx, maxy] = bbox;
    if (minx === maxx && miny === maxy) ctx.map.setView([miny, minx], maxZoom || 15);
    else ctx.map.fitBounds([[miny, minx], [maxy, maxx]], { maxZoom: maxZoom || 18 });
  }

  function allPlacesBox(ctx) {
    const boxes = ctx.config.places.map((p) => p.bbox);
    if (!boxes.length) return [102, 8, 110, 24];
    return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
      Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  }

  function restoreView(ctx, fallback) {
    const { state } = ctx;
    const centre = (state.c || "").split(",").map(Number);
    const zoom = Number(state.z);
    if (centre.length === 2 && centre.every(Number.isFinite) && Number.isFinite(zoom)) {
      ctx.map.setView(centre, zoom);
    } else {
      fallback();
    }
    ctx.map.on("moveend", () => {
      const c = ctx.map.getCenter();
      ctx.setState({ c: `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`, z: ctx.map.getZoom() });
    });
  }

  function start(page, map, config) {
    const ctx = makeContext(page, map, config);
    window.zoneAtlasPage = ctx;  // for people debugging in the console, and for the browser tests
    map.getContainer().classList.add("za-map");
    map.invalidateSize({ pan: false });
    // Fixed zoom range: otherwise Leaflet derives it from the layers (a plot layer from zoom 10 would lock it).
    map.setMinZoom(4);
    map.setMaxZoom(20);  // the page's CSS has just resized the map's container
    L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.addEventListener("click", () => ctx.setLang(button.dataset.lang));
    }
    window.ZoneAtlasBase.addBase(map);
    addBasemap(ctx);
    drawBackground(ctx);
    addCoordinates(ctx);
    if (window.ZoneAtlasMeasure) window.ZoneAtlasMeasure.add(ctx);
    pages[page](ctx);
    addLabels(ctx);
    ctx.setLang(ctx.lang);
  }

  window.ZoneAtlasMaps = {
    pages, start, escapeHtml, formatValue, legendHtml, popupHtml, vectorStyle, classColour, classLabel, fieldLabel,
    makePane, fitBox, allPlacesBox, restoreView, provinceAt,
  };
})();
