// Draw a collection's features from its own items endpoint (no basemap needed) and list them.
(function () {
  const mapDiv = document.getElementById("map");
  const table = document.getElementById("features");
  const itemsUrl = mapDiv ? mapDiv.dataset.items : null;
  if (!itemsUrl) return;
  const itemsBase = itemsUrl.split("?")[0];
  const itemLink = (f) => `${itemsBase}/${f.id}?f=html`;
  const map = L.map(mapDiv, { preferCanvas: true });
  const bbox = JSON.parse(mapDiv.dataset.bbox || "null");
  if (bbox) map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]); else map.setView([16, 106], 5);
  L.control.scale({ imperial: false }).addTo(map);
  const label = (f) => f.properties.name_vi || f.properties.code || f.properties.number || f.id;
  fetch(itemsUrl, { headers: { Accept: "application/geo+json" } })
    .then((r) => r.json())
    .then((fc) => {
      const layer = L.geoJSON(fc, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6, weight: 1, fillOpacity: 0.8 }),
        onEachFeature: (f, l) => l.bindPopup(`<b>${label(f)}</b><br><a href="${itemLink(f)}">chi tiết / details</a>`),
      }).addTo(map);
      // Polygons smaller than a pixel vanish at low zoom: mark where they are until they are big enough to see.
      const markers = L.layerGroup(layer.getLayers().filter((l) => l.getBounds).map((l) =>
        L.circleMarker(l.getBounds().getCenter(), { radius: 3, weight: 1, fillOpacity: 0.6 })
          .bindPopup(l.getPopup().getContent())));
      const toggleMarkers = () => (map.getZoom() < 11 ? markers.addTo(map) : markers.remove());
      map.on("zoomend", toggleMarkers);
      toggleMarkers();
      if (!bbox && layer.getLayers().length) map.fitBounds(layer.getBounds());
      document.getElementById("summary").textContent =
        `${fc.numberReturned} / ${fc.numberMatched} đối tượng / features`;
      const rows = fc.features.slice(0, 200).map((f) =>
        `<tr><td><a href="${itemLink(f)}">${f.id}</a></td>` +
        `<td>${label(f)}</td>` +
        `<td>${f.properties.name_en || f.properties.title_en || ""}</td></tr>`);
      table.innerHTML = "<tr><th>id</th><th>Tên</th><th>Name</th></tr>" + rows.join("");
    });
})();
