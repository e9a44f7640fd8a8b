// The offline base under every map (planners' pages and the workspace): land, borders and coastline from the app's
// own vector tiles (/basemap/tiles), sea as the map's background colour, and the names written on the map
// (/api/map-labels) with no two overlapping. Nothing here loads anything from outside the app.
//
//   ZoneAtlasBase.addBase(map)                    draw the base in the lowest pane (under any remote basemap)
//   ZoneAtlasBase.addLabels(map, options)         write names; returns {refresh(), render(), shown()}
//     options.layers()    ids of the layers whose features to name now (the page's drawn layers)
//     options.reference   ids always named, with a small dot when the page does not draw them (gates, ports)
//     options.lang()      "vi" or "en"
//     options.datetime()  the plan date the page shows, or ""
(function () {
  "use strict";

  const LAND = "#f3f1ea";
  const BASE_STYLE = {
    land: { fill: true, fillColor: LAND, fillOpacity: 1, color: LAND, weight: 1, opacity: 1, radius: 1 },
    lines: (props) => (props.kind === "border"
      ? { color: "#8c6d8f", weight: 1.6, opacity: 0.9, dashArray: [7, 3, 2, 3], fill: false }
      : { color: "#7fa6c4", weight: 0.9, opacity: 1, fill: false }),
  };
  const MERCATOR_WORLD = 40075016.686;  // Web Mercator units across the world at zoom 0
  const COUNTRY_MAX_ZOOM = 9;  // country names give way to places' names when zoomed in
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif";
  // An area's name is written when the largest circle inside it is at least this share of the text's width;
  // plot codes only where they fit whole.
  const FIT = { land_plots: 1.0 };
  const FIT_DEFAULT = 0.5;

  function makePane(map, name, zIndex) {
    const pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(zIndex);
    return pane;
  }

  function addBase(map) {
    makePane(map, "za-base", 150).classList.add("za-base-pane");  // under the tile pane (200): a remote basemap covers it
    map.getContainer().classList.add("za-sea");
    const grid = L.vectorGrid.protobuf("/basemap/tiles/WebMercatorQuad/{z}/{x}/{y}", {
      pane: "za-base",
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: BASE_STYLE,
      interactive: false,
      maxNativeZoom: 16,
      fetchOptions: { credentials: "same-origin" },
      attribution: "Nền / Base: © OpenStreetMap contributors (ODbL)",
      pmIgnore: true,
    });
    return grid.addTo(map);
  }

  // --- labels ---------------------------------------------------------------------------------------------------
  let measureContext = null;
  function textBox(lines) {
    measureContext = measureContext || document.createElement("canvas").getContext("2d");
    measureContext.font = FONT;
    const width = Math.max(...lines.map((line) => measureContext.measureText(line).width));
    return { w: Math.ceil(width) + 6, h: lines.length * 15 + 4 };
  }

  function overlaps(a, placed) {
    return placed.some((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h);
  }

  function addLabels(map, options) {
    const pane = makePane(map, "za-labels", 640);
    pane.classList.add("leaflet-zoom-hide", "za-labels-pane");
    const reference = options.reference || [];
    let candidates = [];
    let seq = 0;
    let timer = null;

    const render = () => {
      pane.replaceChildren();
      const zoom = map.getZoom();
      const perPixel = MERCATOR_WORLD / (256 * 2 ** zoom);
      const size = map.getSize();
      const lang = options.lang();
      const drawn = new Set(options.layers());
      const placed = [];
      let shown = 0;
      for (const label of candidates) {
        if (label.kind === "country" && zoom > COUNTRY_MAX_ZOOM) continue;
        const text = (lang === "en" ? label.en : label.vi) || label.vi;
        const estimate = textBox(text.split("\n"));  // cheap: areas and lines too small for their name go first
        if (label.kind === "area" && label.size / perPixel < estimate.w * (FIT[label.layer] || FIT_DEFAULT)) continue;
        if (label.kind === "line" && label.size / perPixel < estimate.w) continue;
        const div = L.DomUtil.create("div", `za-label za-label-${label.kind} za-label-${label.layer}`, pane);
        div.dataset.layer = label.layer;
        div.dataset.id = String(label.id);
        div.textContent = text;
        const box = { w: div.offsetWidth + 2, h: div.offsetHeight + 2 };  // as drawn: its font, weight and padding
        const at = map.latLngToContainerPoint([label.lat, label.lon]);
        const tries = label.kind === "point"
          ? [{ x: at.x + 7, y: at.y - box.h / 2 }, { x: at.x - 7 - box.w, y: at.y - box.h / 2 },
            { x: at.x - box.w / 2, y: at.y + 6 }, { x: at.x - box.w / 2, y: at.y - 6 - box.h }]
          : [{ x: at.x - box.w / 2, y: at.y - box.h / 2 }];
        const spot = tries.map((p) => ({ ...p, w: box.w, h: box.h }))
          .find((p) => p.x >= 0 && p.y >= 0 && p.x + p.w <= size.x && p.y + p.h <= size.y && !overlaps(p, placed));
        if (!spot) { div.remove(); continue; }
        placed.push(spot);
        L.DomUtil.setPosition(div, map.containerPointToLayerPoint([spot.x + 1, spot.y + 1]));
        if (label.kind === "point" && reference.includes(label.layer) && !drawn.has(label.layer)) {
          const dot = L.DomUtil.create("div", `za-label-dot za-label-dot-${label.layer}`, pane);
          L.DomUtil.setPosition(dot, map.containerPointToLayerPoint(at));
        }
        shown += 1;
      }
      pane.dataset.shown = String(shown);
    };

    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const mine = ++seq;
        const b = map.getBounds();
        const clamp = (v, low, high) => Math.min(high, Math.max(low, v));
        const west = clamp(b.getWest(), -180, 180);
        const east = clamp(b.getEast(), west, Math.min(180, west + 40));
        const south = clamp(b.getSouth(), -85, 85);
        const north = clamp(b.getNorth(), south, Math.min(85, south + 40));
        const layers = [...new Set([...reference, ...options.layers()])];
        const params = new URLSearchParams({ bbox: [west, south, east, north].map((v) => v.toFixed(5)).join(",") });
        if (layers.length) params.set("layers", layers.join(","));
        const when = options.datetime ? options.datetime() : "";
        if (when) params.set("datetime", when);
        fetch(`/api/map-labels?${params}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then((body) => {
            if (mine !== seq) return;
            candidates = body.labels;
            render();
          })
          .catch((error) => console.warn("labels", error.message));
      }, 120);
    };

    map.on("zoomend", render);  // at once, where the names now are; then what the new view holds
    map.on("moveend", refresh);
    refresh();
    return { refresh, render, shown: () => Number(pane.dataset.shown || 0) };
  }

  window.ZoneAtlasBase = { addBase, addLabels, makePane };
})();
