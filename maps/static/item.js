// Draw one feature on a small map without a basemap; for staff, fetch and show its history.
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

// "Lịch sử / History" (staff only: the section exists only on their page). Versions and audit records, each change
// as before → after per field in words, and for a changed outline a small map with both outlines.
(function () {
  const section = document.getElementById("history");
  if (!section) return;
  const labels = JSON.parse(document.getElementById("history-labels").textContent);
  const status = section.querySelector(".history-status");
  // Fields the version bookkeeping sets, or the database computes: not changes a person made.
  const SKIPPED = new Set(["id", "valid_from", "valid_to", "valid_during", "decision_id", "area_ha", "length_km", "geometry"]);
  const BEFORE = { color: "#d7301f", weight: 2, dashArray: "5 4", fillOpacity: 0.05 };
  const AFTER = { color: "#2171b5", weight: 2, fillOpacity: 0.15 };

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function pair(label) {
    return label ? `${label.vi} / ${label.en}` : null;
  }
  function fieldLabel(name) {
    return pair(labels.fields[name]) || name.replace(/_/g, " ");
  }
  function day(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
  }
  function when(iso) {
    // The board works in Vietnam's time: dd/mm/yyyy HH:MM there, whatever the browser's zone.
    const parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(iso)).forEach((p) => { parts[p.type] = p.value; });
    return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
  }
  function value(name, v) {
    if (v === null || v === undefined || v === "") return "—";
    if (typeof v === "boolean") return v ? "Có / Yes" : "Không / No";
    const vocab = labels.values[name];
    if (vocab && vocab[v]) return pair(vocab[v]);
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return day(v);
    return String(v);
  }
  function same(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  }

  function versionsTable(versions) {
    const table = el("table", null, "history-versions-table");
    const head = table.insertRow();
    ["Phiên bản / Version", "Hiệu lực từ / Valid from", "Đến / Valid to", "Quyết định / Decision"].forEach((t) =>
      head.appendChild(el("th", t)));
    versions.forEach((v) => {
      const row = table.insertRow();
      const link = el("a", `#${v.feature_id}`);
      link.href = `${v.feature_id}?f=html`;
      row.insertCell().appendChild(link);
      row.insertCell().textContent = day(v.valid_from);
      row.insertCell().textContent = v.valid_to ? day(v.valid_to) : "hiện hành / current";
      row.insertCell().textContent = v.decision || "—";
    });
    return table;
  }

  function outlines(container, before, after) {
    const div = el("div", null, "history-map");
    container.appendChild(div);
    const legend = el("p", null, "history-legend");
    legend.appendChild(el("span", "- - trước / before", "before"));
    legend.appendChild(document.createTextNode(" · "));
    legend.appendChild(el("span", "— sau / after", "after"));
    container.appendChild(legend);
    const small = L.map(div, { attributionControl: false });
    const point = (f, latlng) => L.circleMarker(latlng, { radius: 6 });
    const drawn = L.featureGroup([
      L.geoJSON(before, { style: BEFORE, pointToLayer: point }),
      L.geoJSON(after, { style: AFTER, pointToLayer: point }),
    ]).addTo(small);
    small.fitBounds(drawn.getBounds(), { padding: [10, 10], maxZoom: 18 });
  }

  function addEntry(list, entry) {
    const item = el("li", null, "history-entry");
    list.appendChild(item); // in the page before its map is made, so Leaflet knows the map's size
    item.dataset.action = entry.action;
    const action = pair(labels.actions[entry.action]) || entry.action;
    const decision = entry.decision ? ` · Quyết định / Decision ${entry.decision}` : "";
    item.appendChild(el("strong", `${when(entry.changed_at)} · ${entry.user || "—"} · ${action}${decision}`));
    const before = entry.before || {};
    const after = entry.after || {};
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((n) => !SKIPPED.has(n) && !same(before[n], after[n]));
    if (entry.before && entry.after && names.length) {
      const table = el("table", null, "history-changes");
      names.forEach((n) => {
        const row = table.insertRow();
        row.dataset.field = n;
        row.appendChild(el("th", fieldLabel(n)));
        const cell = row.insertCell();
        cell.appendChild(el("span", value(n, before[n]), "old"));
        cell.appendChild(document.createTextNode(" → "));
        cell.appendChild(el("span", value(n, after[n]), "new"));
      });
      item.appendChild(table);
    }
    const geometryChanged = entry.before && entry.after && before.geometry && after.geometry &&
      !same(before.geometry, after.geometry);
    if (geometryChanged) {
      item.appendChild(el("p", "Hình dạng đã thay đổi / The outline changed", "geometry-changed"));
      outlines(item, before.geometry, after.geometry);
    }
  }

  fetch(section.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((history) => {
      if (history.versions && history.versions.length) {
        section.querySelector(".history-versions").appendChild(versionsTable(history.versions));
      }
      const list = section.querySelector(".history-entries");
      history.entries.slice().reverse().forEach((entry) => addEntry(list, entry));
      status.textContent = history.entries.length
        ? `${history.entries.length} thay đổi, mới nhất trước / changes, newest first`
        : "Chưa có thay đổi nào được ghi / No recorded changes";
    })
    .catch((error) => {
      status.textContent = `Không tải được lịch sử / Could not load the history (${error.message})`;
    });
})();
