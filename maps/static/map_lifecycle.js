// Planned things on every map page: features only proposed or in the approved plan are drawn with their own style
// (dashed outline, pale fill), a control filters every layer by lifecycle step (kept in the URL as "lc"), and popups
// say the step in words. A separate hook over ZoneAtlasMaps (vectorStyle, popupHtml, start): the pages' own styling
// is left as it is, and a layer without a lifecycle (layer.lifecycle_field null) is never touched.
(function () {
  "use strict";
  const Z = window.ZoneAtlasMaps;
  if (!Z) return;

  const DASH = { proposed: "2 6", planned: "8 5" };
  const hidden = new Set((new URLSearchParams(window.location.hash.replace(/^#/, "")).get("lc") || "")
    .split(",").filter(Boolean));
  let lifecycle = { unbuilt: [], steps: [] };  // the page's config.lifecycle, set before the page draws

  function stepOf(layer, props) {
    return layer && layer.lifecycle_field && props ? props[layer.lifecycle_field] : undefined;
  }

  const baseStyle = Z.vectorStyle;
  Z.vectorStyle = function (layer, props, extra) {
    const style = baseStyle(layer, props, extra);
    const step = stepOf(layer, props);
    if (step === undefined || step === null) return style;
    if (hidden.has(step)) return { ...style, stroke: false, fill: false, opacity: 0, fillOpacity: 0 };
    if (!lifecycle.unbuilt.includes(step)) return style;
    return { ...style, dashArray: DASH[step] || "8 5", fillOpacity: Math.min(style.fillOpacity ?? 0.45, 0.12),
      weight: Math.max(style.weight || 1, 2) };
  };

  const basePopup = Z.popupHtml;
  Z.popupHtml = function (ctx, layer, props, featureId) {
    const step = stepOf(layer, props);
    const words = step && lifecycle.steps.find((s) => s.value === step);
    const shown = words ? { ...props, [layer.lifecycle_field]: ctx.t(words.vi, words.en) } : props;
    return basePopup(ctx, layer, shown, featureId);
  };

  function redraw(ctx) {
    ctx.map.eachLayer((l) => {
      if (l instanceof L.GeoJSON) l.resetStyle();
      else if (typeof l.redraw === "function" && l instanceof L.GridLayer && !(l instanceof L.TileLayer)) l.redraw();
    });
  }

  function control(ctx) {
    const Control = L.Control.extend({
      options: { position: "topright" },
      onAdd() {
        const div = L.DomUtil.create("div", "za-lifecycle leaflet-control");
        div.id = "za-lifecycle";
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    const box = new Control().addTo(ctx.map).getContainer();
    const draw = () => {
      box.innerHTML = `<div class="za-lifecycle-title">${Z.escapeHtml(ctx.t("Giai đoạn", "Lifecycle"))}</div>` +
        lifecycle.steps.map((s) => `<label class="za-lifecycle-step"><input type="checkbox" value="${Z.escapeHtml(s.value)}"` +
          `${hidden.has(s.value) ? "" : " checked"}><span class="za-lifecycle-swatch za-lifecycle-${Z.escapeHtml(s.value)}">` +
          `</span>${Z.escapeHtml(ctx.t(s.vi, s.en))}</label>`).join("");
      for (const input of box.querySelectorAll("input")) {
        input.addEventListener("change", () => {
          if (input.checked) hidden.delete(input.value); else hidden.add(input.value);
          ctx.setState({ lc: [...hidden].join(",") });
          redraw(ctx);
        });
      }
    };
    draw();
    ctx.onLang(draw);
  }

  const baseStart = Z.start;
  Z.start = function (page, map, config) {
    if (config.lifecycle) lifecycle = config.lifecycle;
    baseStart(page, map, config);
    if (config.layers.some((l) => l.lifecycle_field) && window.zoneAtlasPage) control(window.zoneAtlasPage);
  };
  window.ZoneAtlasLifecycle = { hidden, redraw };
})();
