// A small measuring tool: click points; length along the WGS84 ellipsoid (Vincenty's inverse formula) and, for
// three points or more, the enclosed area in the province's VN-2000 TM-3 plane (how cadastral areas are measured).
(function () {
  "use strict";
  const A = 6378137.0;
  const F = 1 / 298.257223563;
  const B = A * (1 - F);

  function vincenty(p1, p2) {
    const rad = Math.PI / 180;
    const L = (p2.lng - p1.lng) * rad;
    const U1 = Math.atan((1 - F) * Math.tan(p1.lat * rad));
    const U2 = Math.atan((1 - F) * Math.tan(p2.lat * rad));
    const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    let lambda = L;
    let sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM;
    for (let i = 0; i < 200; i += 1) {
      const sinLambda = Math.sin(lambda), cosLambda = Math.cos(lambda);
      sinSigma = Math.sqrt((cosU2 * sinLambda) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) ** 2);
      if (sinSigma === 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
      sigma = Math.atan2(sinSigma, cosSigma);
      const sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
      cosSqAlpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cosSqAlpha ? cosSigma - 2 * sinU1 * sinU2 / cosSqAlpha : 0;
      const C = F / 16 * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
      const previous = lambda;
      lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma *
        (-1 + 2 * cos2SigmaM * cos2SigmaM)));
      if (Math.abs(lambda - previous) < 1e-12) break;
    }
    const uSq = cosSqAlpha * (A * A - B * B) / (B * B);
    const bigA = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
    const bigB = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
    const deltaSigma = bigB * sinSigma * (cos2SigmaM + bigB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
      bigB / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return B * bigA * (sigma - deltaSigma);
  }

  function planarArea(ctx, points) {
    const province = window.ZoneAtlasMaps.provinceAt(ctx, points[0]);
    if (!province) return null;
    const xy = points.map((p) => proj4("EPSG:4326", `EPSG:${province.tm3_epsg}`, [p.lng, p.lat]));
    let twice = 0;
    for (let i = 0; i < xy.length; i += 1) {
      const [x1, y1] = xy[i];
      const [x2, y2] = xy[(i + 1) % xy.length];
      twice += x1 * y2 - x2 * y1;
    }
    return { m2: Math.abs(twice) / 2, epsg: province.tm3_epsg };
  }

  function add(ctx) {
    const map = ctx.map;
    let active = false;
    let points = [];
    const layer = L.layerGroup().addTo(map);
    const Control = L.Control.extend({
      options: { position: "topleft" },
      onAdd() {
        const div = L.DomUtil.create("div", "leaflet-bar za-measure");
        div.innerHTML = '<a href="#" role="button" class="za-measure-toggle" title="Đo khoảng cách, diện tích / Measure">' +
          '<i class="fa-solid fa-ruler" aria-hidden="true"></i></a><div class="za-measure-out" hidden></div>';
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    const control = new Control().addTo(map);
    const box = control.getContainer();
    const out = box.querySelector(".za-measure-out");
    const redraw = () => {
      layer.clearLayers();
      if (!points.length) { out.textContent = ctx.t("Bấm vào bản đồ để đo", "Click the map to measure"); return; }
      points.forEach((p) => L.circleMarker(p, { radius: 3, color: "#c51b7d", interactive: false }).addTo(layer));
      if (points.length > 1) L.polyline(points, { color: "#c51b7d", weight: 2, interactive: false }).addTo(layer);
      if (points.length > 2) {
        L.polygon(points, { color: "#c51b7d", weight: 1, fillOpacity: 0.1, dashArray: "3 3", interactive: false })
          .addTo(layer);
      }
      let length = 0;
      for (let i = 1; i < points.length; i += 1) length += vincenty(points[i - 1], points[i]);
      let text = `${ctx.t("Chiều dài", "Length")}: ${length >= 1000 ? (length / 1000).toFixed(3) + " km"
        : length.toFixed(1) + " m"}`;
      const area = points.length > 2 ? planarArea(ctx, points) : null;
      if (area) text += ` · ${ctx.t("Diện tích", "Area")}: ${(area.m2 / 1e4).toFixed(4)} ha (VN-2000 EPSG:${area.epsg})`;
      out.textContent = text;
      out.dataset.lengthM = length.toFixed(3);
      if (area) out.dataset.areaM2 = area.m2.toFixed(2);
    };
    box.querySelector(".za-measure-toggle").addEventListener("click", (event) => {
      event.preventDefault();
      active = !active;
      ctx.measuring = active;
      points = [];
      box.classList.toggle("active", active);
      out.hidden = !active;
      map.getContainer().style.cursor = active ? "crosshair" : "";
      if (active) map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
      redraw();
      if (!active) layer.clearLayers();
    });
    map.on("click", (event) => {
      if (!active) return;
      points.push(event.latlng);
      redraw();
    });
    ctx.measure = { vincenty, points: () => points };
  }

  window.ZoneAtlasMeasure = { add, vincenty };
})();
