// Land finder: the filter form is the URL's query string, so a copied link reproduces the search; the list and the
// map show the same features and select together; up to three plots or parks are compared side by side.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("finder-config").textContent);
  const T = {
    vi: {
      title: "Tìm đất cho nhà đầu tư", copyLink: "Sao chép liên kết", linkCopied: "Đã sao chép liên kết",
      where: "Vị trí", province: "Tỉnh, thành phố", zone: "Khu kinh tế", park: "Khu công nghiệp", land: "Đất",
      minArea: "Diện tích từ (ha)", maxArea: "đến (ha)", maxRent: "Giá thuê tối đa (USD/m²)",
      cleanOnly: "Chỉ đất sạch (đã bàn giao mặt bằng)", distances: "Khoảng cách tối đa (km)", sort: "Sắp xếp",
      reset: "Xóa bộ lọc", plots: "Lô đất còn trống", parks: "Khu công nghiệp", csv: "Tải CSV", plot: "Lô",
      areaHa: "Diện tích (ha)", rent: "USD/m²", clean: "Đất sạch", nearestGate: "Cửa khẩu (km)",
      leasableHa: "Đất cho thuê (ha)", availableHa: "Còn trống (ha)", occupancy: "Lấp đầy (%)",
      rentRange: "Giá thuê (USD/m²)", compare: "So sánh", compareHint: "(tối đa 3 lô hoặc 3 khu)", clear: "Bỏ chọn",
      all: "Tất cả", anyName: "bất kỳ (tên, tùy chọn)", yes: "Có", no: "Chưa", sheet: "Phiếu", loading: "Đang tải…",
      tooMany: "Chỉ so sánh được tối đa 3.", areaAsc: "Diện tích tăng dần", areaDesc: "Diện tích giảm dần",
      rentAsc: "Giá thuê tăng dần", rentDesc: "Giá thuê giảm dần", distanceTo: "Gần nhất: ", km: "km",
      status: "Tình trạng", function: "Chức năng", province_: "Tỉnh", workers: "Lao động", projects: "Dự án",
      investors: "Nhà đầu tư", power: "Điện (kV)", water: "Nước (m³/ngày)", leasedHa: "Đã thuê (ha)",
      noneWithin: "không có trong phạm vi {km} km",
    },
    en: {
      title: "Land finder for investors", copyLink: "Copy link", linkCopied: "Link copied",
      where: "Location", province: "Province / city", zone: "Economic zone", park: "Industrial park", land: "Land",
      minArea: "Area from (ha)", maxArea: "to (ha)", maxRent: "Maximum rent (USD/m²)",
      cleanOnly: "Clean land only (cleared and handed over)", distances: "Maximum distance (km)", sort: "Sort by",
      reset: "Clear filters", plots: "Available plots", parks: "Industrial parks", csv: "Download CSV", plot: "Plot",
      areaHa: "Area (ha)", rent: "USD/m²", clean: "Clean land", nearestGate: "Border gate (km)",
      leasableHa: "Leasable (ha)", availableHa: "Available (ha)", occupancy: "Occupancy (%)",
      rentRange: "Rent (USD/m²)", compare: "Compare", compareHint: "(up to 3 plots or 3 parks)", clear: "Clear",
      all: "All", anyName: "any (name, optional)", yes: "Yes", no: "Not yet", sheet: "Sheet", loading: "Loading…",
      tooMany: "At most three can be compared.", areaAsc: "Area, smallest first", areaDesc: "Area, largest first",
      rentAsc: "Rent, lowest first", rentDesc: "Rent, highest first", distanceTo: "Nearest: ", km: "km",
      status: "Status", function: "Land function", province_: "Province", workers: "Workers", projects: "Projects",
      investors: "Investors", power: "Power (kV)", water: "Water (m³/day)", leasedHa: "Leased (ha)",
      noneWithin: "none within {km} km",
    },
  };
  const UI_PARAMS = ["lang", "tab", "cmp", "sel"];
  const form = document.getElementById("filters");
  const state = { lang: "vi", tab: "plots", plots: [], parks: [], compare: [], selected: null, cache: new Map() };
  const t = (key) => T[state.lang][key] || key;
  const label = (item) => (state.lang === "en" && item && item.name_en ? item.name_en : item ? item.name_vi : "—");
  const num = (v, d) => (v === null || v === undefined ? "—" : Number(v).toFixed(d));
  // A nearest place past the distance bound is none, never a far number (the API sends null and the bound).
  const noneWithin = () => `<small class="none-within">${t("noneWithin").replace("{km}", config.boundKm)}</small>`;
  const distanceCell = (d) => (d ? num(d.km, 1) : noneWithin());
  const kindLabel = (kind) => (state.lang === "en" ? kind.en : kind.vi);

  // --- controls built from the data -----------------------------------------------------------------------
  function fillSelect(select, items) {
    select.replaceChildren(new Option(t("all"), ""));
    for (const item of items) {
      const option = new Option(label(item), item.code);
      option.dataset.vi = item.name_vi;
      option.dataset.en = item.name_en;
      select.add(option);
    }
  }
  fillSelect(document.getElementById("f-province"), config.provinces);
  fillSelect(document.getElementById("f-zone"), config.zones);
  fillSelect(document.getElementById("f-park"), config.parks);
  const functions = document.getElementById("f-functions");
  for (const f of config.functions) {
    const box = document.createElement("label");
    box.innerHTML = `<input type="checkbox" name="function" value="${f.code}"> <span></span>`;
    box.querySelector("span").dataset.item = JSON.stringify(f);
    functions.append(box);
  }
  const distances = document.getElementById("f-distances");
  for (const kind of config.kinds) {
    const row = document.createElement("div");
    row.className = "distance-row";
    row.innerHTML = `<label><span class="kind"></span></label>
      <input type="number" name="max_km_${kind.key}" min="0" max="${config.boundKm}" step="any"
        aria-label="${kind.vi} / ${kind.en} (km)">
      <input type="text" name="name_${kind.key}" list="nodes-${kind.key}" aria-label="${kind.vi} / ${kind.en}">
      <datalist id="nodes-${kind.key}"></datalist>`;
    row.querySelector(".kind").dataset.kind = kind.key;
    for (const name of config.nodes[kind.key] || []) row.querySelector("datalist").append(new Option(name));
    distances.append(row);
  }
  const sortSelect = document.getElementById("f-sort");
  function fillSort() {
    const current = sortSelect.value;
    sortSelect.replaceChildren(
      new Option(t("areaDesc"), "-area"), new Option(t("areaAsc"), "area"),
      new Option(t("rentAsc"), "rent"), new Option(t("rentDesc"), "-rent"),
      ...config.kinds.map((k) => new Option(t("distanceTo") + kindLabel(k), `distance_${k.key}`)),
    );
    sortSelect.value = current || "-area";
  }

  // --- the URL is the state ---------------------------------------------------------------------------------
  function formParams() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim() !== "") params.append(key, value);
    return params;
  }
  function writeUrl() {
    const params = formParams();
    if (state.lang !== "vi") params.set("lang", state.lang);
    if (state.tab !== "plots") params.set("tab", state.tab);
    if (state.compare.length) params.set("cmp", state.compare.join(","));
    if (state.selected) params.set("sel", state.selected);
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }
  function readUrl() {
    const params = new URLSearchParams(location.search);
    for (const element of form.elements) {
      if (!element.name || UI_PARAMS.includes(element.name)) continue;
      const values = params.getAll(element.name);
      if (element.type === "checkbox") element.checked = values.includes(element.value);
      else if (values.length) element.value = values[0];
    }
    state.lang = params.get("lang") === "en" ? "en" : "vi";
    state.tab = params.get("tab") === "parks" ? "parks" : "plots";
    state.compare = (params.get("cmp") || "").split(",").filter((k) => /^(plot|park):./.test(k)).slice(0, 3);
    state.selected = params.get("sel");
    return params;
  }

  // --- map: parks and zones outlines as the background, results on top ----------------------------------------
  const map = L.map("map", { zoomSnap: 0.25 });
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([16, 106], 5);
  window.ZoneAtlasBase.addBase(map);  // land, borders and coast drawn by the app: no basemap needed
  // Names of parks and zones (drawn here) and of gates, ports and logistics centres, in the page's language.
  const mapLabels = window.ZoneAtlasBase.addLabels(map, {
    layers: () => ["economic_zones", "industrial_parks"],
    reference: ["border_gates", "transport_nodes", "logistics_centres"],
    lang: () => state.lang,
    datetime: () => "",
  });
  const parkLayers = new Map();
  const zonesLayer = L.geoJSON(null, {
    style: { color: "#b2182b", weight: 1, dashArray: "4 4", fill: false },
    interactive: false,
  }).addTo(map);
  const parksLayer = L.geoJSON(null, {
    style: { color: "#542788", weight: 1.5, fillColor: "#b2abd2", fillOpacity: 0.12 },
    onEachFeature: (feature, layer) => {
      parkLayers.set(feature.properties.uid, layer);
      layer.on("click", () => selectPark(feature.properties.uid, "map"));
    },
  }).addTo(map);
  const plotLayers = new Map();
  const plotStyle = { color: "#0b5a2a", weight: 1, fillColor: config.statusColours.available, fillOpacity: 0.75 };
  const selectedStyle = { color: "#e31a1c", weight: 4, fillOpacity: 0.9 };
  const resultsLayer = L.geoJSON(null, {
    style: () => plotStyle,
    onEachFeature: (feature, layer) => {
      plotLayers.set(feature.id, layer);
      layer.on("click", () => selectPlot(feature.id, "map"));
      layer.bindTooltip(() => `${feature.properties.code} · ${label(feature.properties.park)}`);
    },
  }).addTo(map);
  const background = Promise.all(["economic_zones", "industrial_parks"].map((layer) =>
    fetch(`/collections/${layer}/items?f=geojson&limit=1000&properties=uid,name_vi,name_en`)
      .then((r) => r.json())))
    .then(([zones, parks]) => {
      zonesLayer.addData(zones);
      parksLayer.addData(parks);
      parksLayer.bringToBack();
    });

  // --- plots -------------------------------------------------------------------------------------------------
  const statusBox = document.getElementById("status");
  const sortKind = () => {
    const sort = sortSelect.value.replace(/^-/, "");
    if (sort.startsWith("distance_")) return sort.slice(9);
    const bounded = config.kinds.find((k) => form.elements[`max_km_${k.key}`].value !== "");
    return bounded ? bounded.key : "border_gate";
  };
  let sequence = 0;
  async function search(fit) {
    const mine = ++sequence;
    statusBox.textContent = t("loading");
    const response = await fetch("/api/land/available?" + formParams().toString());
    if (mine !== sequence) return;
    const body = await response.json();
    if (!response.ok) {
      statusBox.textContent = body.description || response.statusText;
      state.plots = [];
    } else {
      statusBox.textContent = "";
      state.plots = body.features;
      for (const f of state.plots) state.cache.set(`plot:${f.id}`, f);
    }
    document.getElementById("count").textContent = state.plots.length;
    document.getElementById("csv-link").href = "/api/land/available?" + new URLSearchParams(
      [...formParams(), ["f", "csv"]]).toString();
    drawPlots(fit);
    listPlots();
    if (state.selected && !plotLayers.has(state.selected)) state.selected = null;
    if (state.selected) selectPlot(state.selected, "url");
    renderCompare();
    writeUrl();
    document.body.dataset.ready = "true";
  }
  // Small plots vanish at province zoom: a dot at each plot's point-on-surface keeps them findable there.
  const dotsLayer = L.layerGroup().addTo(map);
  const DOTS_UNTIL_ZOOM = 13;
  map.on("zoomend", () => {
    if (map.getZoom() >= DOTS_UNTIL_ZOOM) dotsLayer.remove();
    else dotsLayer.addTo(map);
  });
  function drawPlots(fit) {
    resultsLayer.clearLayers();
    plotLayers.clear();
    dotsLayer.clearLayers();
    resultsLayer.addData({ type: "FeatureCollection", features: state.plots });
    for (const f of state.plots) {
      const [lon, lat] = f.properties.point;
      L.circleMarker([lat, lon], { radius: 4, weight: 1, color: "#0b5a2a", fillColor: plotStyle.fillColor, fillOpacity: 1 })
        .on("click", () => selectPlot(f.id, "map")).addTo(dotsLayer);
    }
    if (fit && state.plots.length) map.fitBounds(resultsLayer.getBounds(), { padding: [20, 20], maxZoom: 15 });
  }
  function listPlots() {
    const kind = config.kinds.find((k) => k.key === sortKind());
    document.getElementById("distance-head").textContent = `${kindLabel(kind)} (km)`;
    const body = document.querySelector("#plot-list tbody");
    body.replaceChildren(...state.plots.map((f) => {
      const p = f.properties;
      const row = document.createElement("tr");
      row.dataset.uid = f.id;
      const nearest = p.distances[kind.key];
      row.innerHTML = `<td><input type="checkbox" class="cmp" aria-label="${t("compare")}"></td><td class="code"></td>
        <td class="park"></td><td class="num">${num(p.area_ha, 2)}</td><td class="num">${num(p.land_rent_usd_m2, 2)}</td>
        <td>${p.clean ? t("yes") : t("no")}</td><td class="num" title="">${distanceCell(nearest)}</td>
        <td><a class="sheet" href="${p.sheet_url}">${t("sheet")}</a></td>`;
      row.querySelector(".code").textContent = p.code;
      row.querySelector(".park").textContent = label(p.park || p.zone);
      if (nearest) row.cells[6].title = label(nearest);
      row.querySelector(".cmp").checked = state.compare.includes(`plot:${f.id}`);
      row.querySelector(".cmp").addEventListener("click", (e) => { e.stopPropagation(); toggleCompare(`plot:${f.id}`, e.target); });
      row.querySelector("a.sheet").addEventListener("click", (e) => e.stopPropagation());
      row.addEventListener("click", () => selectPlot(f.id, "list"));
      return row;
    }));
  }
  function selectPlot(uid, from) {
    for (const layer of plotLayers.values()) layer.setStyle(plotStyle);
    document.querySelectorAll("#plot-list tr.selected").forEach((r) => r.classList.remove("selected"));
    state.selected = uid;
    const layer = plotLayers.get(uid);
    const row = document.querySelector(`#plot-list tr[data-uid="${CSS.escape(uid)}"]`);
    if (layer) {
      layer.setStyle(selectedStyle);
      layer.bringToFront();
      if (from !== "map") map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [40, 40] });
    }
    if (row) {
      row.classList.add("selected");
      if (from === "map") {
        showTab("plots");
        row.scrollIntoView({ block: "nearest" });
      }
    }
    writeUrl();
  }

  // --- parks (ranking table) ---------------------------------------------------------------------------------
  async function loadParks() {
    const response = await fetch("/api/parks?sort=-occupancy_pct");
    state.parks = (await response.json()).parks;
    for (const p of state.parks) state.cache.set(`park:${p.uid}`, p);
    document.getElementById("park-count").textContent = state.parks.length;
    listParks();
  }
  function listParks() {
    const body = document.querySelector("#park-list tbody");
    body.replaceChildren(...state.parks.map((p) => {
      const row = document.createElement("tr");
      row.dataset.uid = p.uid;
      const gate = p.distances.border_gate;
      row.innerHTML = `<td><input type="checkbox" class="cmp" aria-label="${t("compare")}"></td><td class="name"></td>
        <td class="num">${num(p.leasable_ha, 1)}</td><td class="num">${num(p.available_ha, 1)}</td>
        <td class="num">${num(p.occupancy_pct, 1)}</td>
        <td class="num">${num(p.rent_usd_m2_min, 1)}–${num(p.rent_usd_m2_max, 1)}</td>
        <td class="num">${distanceCell(gate)}</td><td><a class="sheet" href="${p.sheet_url}">${t("sheet")}</a></td>`;
      row.querySelector(".name").textContent = label(p);
      row.querySelector(".cmp").checked = state.compare.includes(`park:${p.uid}`);
      row.querySelector(".cmp").addEventListener("click", (e) => { e.stopPropagation(); toggleCompare(`park:${p.uid}`, e.target); });
      row.querySelector("a.sheet").addEventListener("click", (e) => e.stopPropagation());
      row.addEventListener("click", () => selectPark(p.uid, "list"));
      return row;
    }));
  }
  function selectPark(uid, from) {
    for (const layer of parkLayers.values()) parksLayer.resetStyle(layer);
    document.querySelectorAll("#park-list tr.selected").forEach((r) => r.classList.remove("selected"));
    const layer = parkLayers.get(uid);
    if (layer) {
      layer.setStyle({ color: "#e31a1c", weight: 3 });
      if (from !== "map") map.fitBounds(layer.getBounds(), { padding: [30, 30] });
    }
    const row = document.querySelector(`#park-list tr[data-uid="${CSS.escape(uid)}"]`);
    if (row) {
      row.classList.add("selected");
      if (from === "map" && state.tab === "parks") row.scrollIntoView({ block: "nearest" });
    }
  }

  // --- compare -----------------------------------------------------------------------------------------------
  function toggleCompare(key, box) {
    const at = state.compare.indexOf(key);
    if (at >= 0) state.compare.splice(at, 1);
    else {
      if (state.compare.length && state.compare[0].split(":")[0] !== key.split(":")[0]) state.compare = [];
      if (state.compare.length >= 3) {
        statusBox.textContent = t("tooMany");
        if (box) box.checked = false;
        return;
      }
      state.compare.push(key);
    }
    statusBox.textContent = "";
    document.querySelectorAll("input.cmp").forEach((b) => {
      const row = b.closest("tr");
      const kind = row.closest("#park-list") ? "park" : "plot";
      b.checked = state.compare.includes(`${kind}:${row.dataset.uid}`);
    });
    renderCompare();
    writeUrl();
  }
  async function ensureCompared() {
    const missing = state.compare.filter((k) => k.startsWith("plot:") && !state.cache.has(k)).map((k) => k.slice(5));
    if (!missing.length) return;
    const params = new URLSearchParams(missing.map((uid) => ["uid", uid]));
    const response = await fetch("/api/land/available?" + params.toString());
    if (response.ok) for (const f of (await response.json()).features) state.cache.set(`plot:${f.id}`, f);
  }
  function renderCompare() {
    const panel = document.getElementById("compare");
    const items = state.compare.map((k) => state.cache.get(k)).filter(Boolean);
    panel.hidden = items.length === 0;
    if (!items.length) return;
    const plots = state.compare[0].startsWith("plot:");
    const props = items.map((item) => (plots ? item.properties : item));
    const rows = plots ? [
      [t("plot"), (p) => `<a href="${p.sheet_url}">${escapeHtml(p.code)}</a>`],
      [t("park"), (p) => escapeHtml(label(p.park || p.zone))],
      [t("areaHa"), (p) => num(p.area_ha, 2)],
      [t("rent"), (p) => num(p.land_rent_usd_m2, 2)],
      [t("clean"), (p) => (p.clean ? t("yes") : t("no"))],
      [t("function"), (p) => escapeHtml(state.lang === "en" ? p.planning_function_en : p.planning_function_vi)],
    ] : [
      [t("park"), (p) => `<a href="${p.sheet_url}">${escapeHtml(label(p))}</a>`],
      [t("leasableHa"), (p) => num(p.leasable_ha, 2)],
      [t("leasedHa"), (p) => num(p.leased_ha, 2)],
      [t("availableHa"), (p) => num(p.available_ha, 2)],
      [t("occupancy"), (p) => num(p.occupancy_pct, 1)],
      [t("rentRange"), (p) => `${num(p.rent_usd_m2_min, 2)}–${num(p.rent_usd_m2_max, 2)}`],
      [t("projects"), (p) => p.projects], [t("investors"), (p) => p.investors],
      [t("workers"), (p) => (p.workers === null ? "—" : p.workers)],
      [t("power"), (p) => (p.power_kv === null ? "—" : p.power_kv)],
      [t("water"), (p) => (p.water_m3_day === null ? "—" : p.water_m3_day)],
    ];
    for (const kind of config.kinds) {
      rows.push([`${kindLabel(kind)} (km)`, (p) => {
        const d = p.distances[kind.key];
        return d ? `${num(d.km, 1)} <small>${escapeHtml(label(d))}</small>` : noneWithin();
      }]);
    }
    document.getElementById("compare-table").innerHTML = rows.map(([name, cell]) =>
      `<tr><th>${escapeHtml(name)}</th>${props.map((p) => `<td>${cell(p)}</td>`).join("")}</tr>`).join("");
  }
  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }

  // --- language and tabs ---------------------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("select option[data-vi]").forEach((o) => {
      o.textContent = state.lang === "en" ? o.dataset.en : o.dataset.vi;
    });
    document.querySelectorAll("select option[value='']").forEach((o) => { o.textContent = t("all"); });
    document.querySelectorAll("#f-functions span").forEach((s) => { s.textContent = label(JSON.parse(s.dataset.item)); });
    document.querySelectorAll(".distance-row .kind").forEach((s) => {
      s.textContent = kindLabel(config.kinds.find((k) => k.key === s.dataset.kind));
    });
    document.querySelectorAll(".distance-row input[type=text]").forEach((i) => { i.placeholder = t("anyName"); });
    document.querySelectorAll(".lang button").forEach((b) => b.classList.toggle("active", b.dataset.lang === state.lang));
    fillSort();
    listPlots();
    listParks();
    renderCompare();
    mapLabels.render();
  }
  function showTab(tab) {
    state.tab = tab;
    document.getElementById("plots-panel").hidden = tab !== "plots";
    document.getElementById("parks-panel").hidden = tab !== "parks";
    document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === tab));
    writeUrl();
  }

  // --- events --------------------------------------------------------------------------------------------------
  let timer = null;
  form.addEventListener("change", () => { clearTimeout(timer); search(true); });
  form.addEventListener("input", (e) => {
    if (e.target.tagName !== "INPUT" || e.target.type === "checkbox") return;
    clearTimeout(timer);
    timer = setTimeout(() => search(true), 400);
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); search(true); });
  form.addEventListener("reset", () => setTimeout(() => { sortSelect.value = "-area"; search(true); }, 0));
  document.querySelectorAll(".lang button").forEach((b) => b.addEventListener("click", () => {
    state.lang = b.dataset.lang;
    applyLanguage();
    writeUrl();
  }));
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  document.getElementById("compare-clear").addEventListener("click", () => {
    state.compare = [];
    document.querySelectorAll("input.cmp").forEach((b) => { b.checked = false; });
    renderCompare();
    writeUrl();
  });
  document.getElementById("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      statusBox.textContent = t("linkCopied");
    } catch (error) {
      statusBox.textContent = location.href;
    }
  });

  // --- start: the URL decides everything -------------------------------------------------------------------------
  fillSort();
  const initial = readUrl();
  if (initial.get("sort")) sortSelect.value = initial.get("sort");
  showTab(state.tab);
  applyLanguage();
  window.landFinder = { state, map, plotLayers, parkLayers };
  Promise.all([background, loadParks(), ensureCompared()])
    .then(() => search(!state.selected))
    .catch((error) => { statusBox.textContent = String(error); });
})();
