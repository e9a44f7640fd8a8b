// The plan over time: a zone's plan under decision A (left) and, optionally, decision B (right) with a swipe,
// next to the change table from /api/revisions/compare (areas computed by PostGIS on the ellipsoid).
(function () {
  "use strict";
  const Z = window.ZoneAtlasMaps;

  function momentValue(select, dateInput) {
    return dateInput.value || select.value;
  }

  function momentDate(decisions, value) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    const decision = decisions.find((d) => d.number === value);
    return decision ? decision.date_effective : null;
  }

  const day = (iso) => (iso ? iso.replace(/^(\d{4})-(\d{2})-(\d{2})$/, "$3/$2/$1") : "—");

  // What a reader must know before trusting a decision: invented for the demo, or a revision still being made.
  function flags(ctx, d) {
    const out = [];
    if (d.illustrative) out.push(ctx.t("minh họa, không phải văn bản thật", "illustrative, not a real document"));
    if (d.in_progress) out.push(ctx.t("đang lập điều chỉnh, chưa phê duyệt", "revision in progress, not approved yet"));
    else if (!d.changes_plan) out.push(ctx.t("không thay đổi ranh giới", "changes no boundary"));
    return out;
  }

  function decisionBlock(ctx, label, moment) {
    if (!moment) return "";
    const d = moment.decision;
    if (!d) return `<dl><dt>${Z.escapeHtml(label)}</dt><dd>${Z.escapeHtml(ctx.t("Ngày", "Date"))} ${day(moment.date)}</dd></dl>`;
    const marks = flags(ctx, d).map((f) => `<span class="za-decision-flag">${Z.escapeHtml(f)}</span>`).join(" ");
    return `<dl><dt>${Z.escapeHtml(label)}</dt><dd><b>${Z.escapeHtml(d.number)}</b> ${marks}</dd>` +
      `<dt>${Z.escapeHtml(ctx.t("Ngày ký", "Signed"))}</dt><dd>${day(d.date_signed)}</dd>` +
      `<dt>${Z.escapeHtml(ctx.t("Hiệu lực", "Effective"))}</dt><dd>${day(d.date_effective)}</dd>` +
      `<dt>${Z.escapeHtml(ctx.t("Cơ quan", "Authority"))}</dt><dd>${Z.escapeHtml(d.authority_name_vi || "")}</dd>` +
      `<dt>${Z.escapeHtml(ctx.t("Nội dung", "Title"))}</dt><dd>${Z.escapeHtml(ctx.t(d.title_vi, d.title_en || d.title_vi))}</dd></dl>`;
  }

  function changeTable(ctx, result, comparing) {
    const ha = (v) => v.toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const head = comparing
      ? `<tr><th>${Z.escapeHtml(ctx.t("Loại", "Type"))}</th><th class="num">A</th><th class="num">B</th>` +
        `<th class="num">${Z.escapeHtml(ctx.t("Tăng", "Added"))}</th><th class="num">${Z.escapeHtml(ctx.t("Giảm", "Removed"))}</th>` +
        `<th class="num">${Z.escapeHtml(ctx.t("Chênh lệch", "Net"))}</th></tr>`
      : `<tr><th>${Z.escapeHtml(ctx.t("Loại", "Type"))}</th><th class="num">${Z.escapeHtml(ctx.t("Diện tích", "Area"))}</th></tr>`;
    const rows = result.summary.map((r) => {
      const label = Z.escapeHtml(ctx.t(r.label_vi, r.label_en));
      if (!comparing) return `<tr data-kind="${r.kind}"><td>${label}</td><td class="num">${ha(r.from_ha)}</td></tr>`;
      return `<tr data-kind="${r.kind}"><td>${label}</td><td class="num" data-col="from">${ha(r.from_ha)}</td>` +
        `<td class="num" data-col="to">${ha(r.to_ha)}</td>` +
        `<td class="num za-added" data-col="added" data-value="${r.added_ha}">${ha(r.added_ha)}</td>` +
        `<td class="num za-removed" data-col="removed" data-value="${r.removed_ha}">${ha(r.removed_ha)}</td>` +
        `<td class="num" data-col="net">${r.net_ha > 0 ? "+" : ""}${ha(r.net_ha)}</td></tr>`;
    }).join("");
    return `<thead>${head}</thead><tbody>${rows}</tbody>`;
  }

  Z.pages.revisions = function (ctx) {
    const map = ctx.map;
    const zoneSelect = document.getElementById("za-zone");
    const aSelect = document.getElementById("za-a");
    const bSelect = document.getElementById("za-b");
    const aDate = document.getElementById("za-a-date");
    const bDate = document.getElementById("za-b-date");
    const paneA = Z.makePane(map, "za-side-a", 410);
    const paneB = Z.makePane(map, "za-side-b", 420);
    Z.makePane(map, "za-changes", 430);
    const zonesLayer = ctx.layer("economic_zones");
    const areasLayer = ctx.layer("functional_areas");
    const sides = { a: L.featureGroup().addTo(map), b: L.featureGroup().addTo(map) };
    const changes = L.featureGroup().addTo(map);
    ctx.sides = sides;
    ctx.labelLayers = () => ["economic_zones", "functional_areas"];  // named as plan A shows them
    ctx.labelDate = () => momentDate(decisions, momentValue(aSelect, aDate)) || "";
    let decisions = [];
    let fraction = Number(ctx.state.swipe) || 0.5;
    let firstDraw = !ctx.state.c;
    let request = 0;

    // The swipe: a range input over the map; the two panes are clipped left and right of its position.
    const container = map.getContainer();
    const range = L.DomUtil.create("input", "za-swipe-range", container);
    Object.assign(range, { type: "range", min: "0", max: "1", step: "0.001", value: String(fraction) });
    range.id = "za-swipe-range";
    const line = L.DomUtil.create("div", "za-swipe-line", container);
    const labelA = L.DomUtil.create("div", "za-side-label left", container);
    const labelB = L.DomUtil.create("div", "za-side-label right", container);
    L.DomEvent.disableClickPropagation(range);
    ["mousedown", "touchstart", "pointerdown"].forEach((e) => range.addEventListener(e, () => map.dragging.disable()));
    ["mouseup", "touchend", "pointerup"].forEach((e) => range.addEventListener(e, () => map.dragging.enable()));

    const comparing = () => Boolean(momentValue(bSelect, bDate));
    const clip = () => {
      const on = comparing();
      [range, line, labelB].forEach((el) => { el.hidden = !on; });
      if (!on) { paneA.style.clip = ""; paneB.style.clip = ""; return; }
      const size = map.getSize();
      const nw = map.containerPointToLayerPoint([0, 0]);
      const se = map.containerPointToLayerPoint(size);
      const x = nw.x + size.x * fraction;
      paneA.style.clip = `rect(${nw.y}px, ${x}px, ${se.y}px, ${nw.x}px)`;
      paneB.style.clip = `rect(${nw.y}px, ${se.x}px, ${se.y}px, ${x}px)`;
      line.style.left = `${size.x * fraction}px`;
    };
    range.addEventListener("input", () => { fraction = Number(range.value); ctx.setState({ swipe: fraction.toFixed(3) }); clip(); });
    map.on("move zoom resize", clip);

    const drawPlan = (side, value, pane) => {
      const group = sides[side];
      group.clearLayers();
      if (!value) return Promise.resolve(0);
      const on = momentDate(decisions, value);
      if (!on) return Promise.resolve(0);
      const zone = zoneSelect.value;
      const areaParams = new URLSearchParams({ f: "geojson", limit: "10000", zone_uid: zone, datetime: on });
      const zoneParams = new URLSearchParams({ f: "geojson", limit: "10", uid: zone, datetime: on });
      return Promise.all([
        ctx.fetchJSON(`${areasLayer.items}?${areaParams}`),
        ctx.fetchJSON(`${zonesLayer.items}?${zoneParams}`),
      ]).then(([areas, zones]) => {
        group.clearLayers();
        const popup = (layer) => (f, l) => l.bindPopup(Z.popupHtml(ctx, layer, f.properties, f.id));
        L.geoJSON(zones, { pane, style: () => ({ color: "#b2182b", weight: 2.5, fill: true, fillColor: "#ffffff",
          fillOpacity: 0.25 }), onEachFeature: popup(zonesLayer) }).addTo(group);
        L.geoJSON(areas, { pane, style: (f) => Z.vectorStyle(areasLayer, f.properties, { fillOpacity: 0.7 }),
          onEachFeature: popup(areasLayer) }).addTo(group);
        return areas.features.length + zones.features.length;
      });
    };

    const refresh = () => {
      const mine = ++request;
      const a = momentValue(aSelect, aDate);
      const b = momentValue(bSelect, bDate);
      ctx.setState({ zone: zoneSelect.value, a, b });
      labelA.textContent = `A: ${day(a) === a ? a : day(a)}`;
      labelB.textContent = `B: ${day(b) === b ? b : day(b)}`;
      clip();
      const drawn = Promise.all([drawPlan("a", a, "za-side-a"), drawPlan("b", b, "za-side-b")]);
      const params = new URLSearchParams({ zone: zoneSelect.value, from: a, to: b || a });
      const compared = ctx.fetchJSON(`/api/revisions/compare?${params}`);
      Promise.all([drawn, compared]).then(([, result]) => {
        if (mine !== request) return;
        changes.clearLayers();
        if (b) {
          L.geoJSON(result, { pane: "za-changes", interactive: false,
            style: (f) => ({ color: f.properties.change === "added" ? "#1a7f37" : "#b42318", weight: 2,
              dashArray: f.properties.change === "added" ? null : "5 4", fill: false }) }).addTo(changes);
        }
        document.getElementById("za-changes").innerHTML = changeTable(ctx, result, Boolean(b));
        document.getElementById("za-decisions").innerHTML =
          decisionBlock(ctx, ctx.t("Bên trái (A)", "Left (A)"), result.from) +
          (b ? decisionBlock(ctx, ctx.t("Bên phải (B)", "Right (B)"), result.to) : "");
        if (firstDraw && sides.a.getLayers().length) {
          firstDraw = false;
          map.fitBounds(sides.a.getBounds(), { padding: [20, 20] });
        }
        ctx.lastComparison = result;
        if (ctx.labels) ctx.labels.refresh();
        document.body.dataset.revisionsReady = String(mine);
      }).catch((e) => {
        document.getElementById("za-changes").innerHTML = `<tr><td class="text-danger">${Z.escapeHtml(e.message)}</td></tr>`;
      });
    };

    // Every decision of the register can be picked: the zone's own first (those that drew its plan, then the
    // others, such as a revision still being made), then every other decision (the plan as on its date).
    const fillDecisions = (keep) => {
      const zone = zoneSelect.value;
      const option = (d) => {
        const marks = flags(ctx, d);
        const text = `${d.number} · ${day(d.date_effective)}` + (marks.length ? ` (${marks.join("; ")})` : "");
        return `<option value="${Z.escapeHtml(d.number)}"${d.illustrative ? ' data-illustrative="true"' : ""}` +
          `${d.in_progress ? ' data-in-progress="true"' : ""}>${Z.escapeHtml(text)}</option>`;
      };
      const group = (label, list) => (list.length
        ? `<optgroup label="${Z.escapeHtml(label)}">${list.map(option).join("")}</optgroup>` : "");
      const own = decisions.filter((d) => d.zone_uid === zone);
      const groups = group(ctx.t("Quyết định làm thay đổi quy hoạch của khu", "Decisions that shaped this zone's plan"),
        own.filter((d) => d.changes_plan)) +
        group(ctx.t("Quyết định khác của khu", "Other decisions of this zone"), own.filter((d) => !d.changes_plan)) +
        group(ctx.t("Quyết định khác (quy hoạch của khu tại ngày hiệu lực)", "Other decisions (the zone's plan on their date)"),
          decisions.filter((d) => d.zone_uid !== zone));
      const keepA = aSelect.value;
      const keepB = bSelect.value;
      aSelect.innerHTML = groups;
      bSelect.innerHTML = `<option value="">${Z.escapeHtml(ctx.t("— không so sánh —", "— no comparison —"))}</option>` + groups;
      const has = (v) => decisions.some((d) => d.number === v);
      const shaping = own.filter((d) => d.changes_plan);
      const latest = shaping.length ? shaping[shaping.length - 1].number : (decisions.length ? decisions[decisions.length - 1].number : "");
      if (keep === "lang") {
        aSelect.value = keepA;
        bSelect.value = keepB;
        return;
      }
      aSelect.value = keep && has(ctx.state.a) ? ctx.state.a : latest;
      bSelect.value = keep && has(ctx.state.b) ? ctx.state.b : "";
      aDate.value = keep && /^\d{4}-/.test(ctx.state.a || "") ? ctx.state.a : "";
      bDate.value = keep && /^\d{4}-/.test(ctx.state.b || "") ? ctx.state.b : "";
    };

    let register = null;  // every decision the reader may see, fetched once
    const everyDecision = () => (register ? Promise.resolve(register)
      : ctx.fetchJSON("/api/decisions").then((body) => { register = body.decisions; return register; }));
    const loadZone = (keep) => everyDecision()
      .then((found) => { decisions = found; fillDecisions(keep); refresh(); });

    const zones = ctx.config.places.filter((p) => p.kind === "zone");
    const renderZones = () => {
      const current = zoneSelect.value || ctx.state.zone;
      zoneSelect.innerHTML = zones.map((p) => `<option value="${Z.escapeHtml(p.code)}">${Z.escapeHtml(ctx.title(p))}</option>`).join("");
      if (zones.some((p) => p.code === current)) zoneSelect.value = current;
    };
    renderZones();
    ctx.onLang(() => { renderZones(); if (decisions.length) fillDecisions("lang"); if (ctx.lastComparison) refresh(); });
    zoneSelect.addEventListener("change", () => { firstDraw = true; loadZone(false); });
    aSelect.addEventListener("change", () => { aDate.value = ""; refresh(); });
    bSelect.addEventListener("change", () => { bDate.value = ""; refresh(); });
    aDate.addEventListener("change", refresh);
    bDate.addEventListener("change", refresh);
    document.getElementById("za-legend").innerHTML =
      `<div class="za-legend">${Z.legendHtml(ctx, areasLayer)}</div>`;
    Z.restoreView(ctx, () => {
      const zone = zones.find((p) => p.code === zoneSelect.value);
      if (zone) Z.fitBox(ctx, zone.bbox);
    });
    loadZone(true);
  };
})();
