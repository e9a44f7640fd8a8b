// Draw one feature on a small map without a basemap.
(function () {
  const mapDiv = document.getElementById("map");
  if (!mapDiv) return;
  const feature = JSON.parse(document.getElementById("feature").textContent);
  const map = L.map(mapDiv);
  L.control.scale({ imperial: false }).addTo(map);
  const layer = L.geoJSON(feature, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 7, weight: 1, fillOpacity: 0.8 }),
  }).addTo(map);
  if (feature.geometry && feature.geometry.type === "Point") {
    map.setView(layer.getLayers()[0].getLatLng(), 12);
  } else if (feature.geometry) {
    map.fitBounds(layer.getBounds());
  } else {
    map.setView([16, 106], 5);
  }
})();
