// Account administration page: lists accounts from /api/accounts and sends the admin's changes back.
// Same-origin fetches carry the session cookie, Origin and Sec-Fetch-Site, which the server's origin check expects.
"use strict";

(() => {
  const options = JSON.parse(document.getElementById("admin-options").textContent);
  const provinceNames = new Map(options.provinces.map((p) => [p.code, `${p.name_vi} / ${p.name_en}`]));
  const ALL_PROVINCES = "Tất cả tỉnh / All provinces";
  const KINDS = { personal: "Khóa cá nhân / Personal token", session: "Phiên đăng nhập / Browser session" };
  const ACTIONS = {
    create: "Tạo tài khoản / Created",
    disable: "Khóa tài khoản / Disabled",
    enable: "Mở khóa / Enabled",
    role: "Đổi vai trò / Role changed",
    provinces: "Đổi tỉnh / Provinces changed",
    display_name: "Đổi họ tên / Name changed",
    password_reset: "Đặt lại mật khẩu / Password reset",
    token_create: "Tạo khóa truy cập / Token created",
    token_revoke: "Thu hồi khóa / Token revoked",
  };
  let accounts = [];
  let editing = null;

  const $ = (id) => document.getElementById(id);
  const pad = (n) => String(n).padStart(2, "0");

  function formatDate(iso, withTime = true) {
    if (!iso) return "—";
    const d = new Date(iso);
    const day = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
    return withTime ? `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}` : day;
  }

  const roleLabel = (role) => options.roles[role] || role;
  const provincesLabel = (codes) =>
    codes === null ? ALL_PROVINCES : codes.map((c) => provinceNames.get(c) || c).join("; ");

  function el(tag, text, attrs = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function button(text, action, handler, danger = false) {
    const b = el("button", text, { type: "button", "data-action": action });
    if (danger) b.className = "danger";
    b.addEventListener("click", handler);
    return b;
  }

  function say(text, error = false) {
    const box = $("admin-message");
    box.textContent = text;
    box.className = error ? "error" : "";
    box.hidden = false;
  }

  function showSecret(label, value) {
    $("admin-secret-label").textContent = label;
    $("admin-secret-value").textContent = value;
    $("admin-secret").hidden = false;
  }

  async function api(method, url, body) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = data.description || data.detail || response.statusText;
      throw new Error(`Lỗi / Error ${response.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
    }
    return data;
  }

  async function run(work, done) {
    $("admin-secret-value").textContent = ""; // a secret shown earlier goes as soon as the next change starts
    $("admin-secret").hidden = true;
    try {
      const result = await work();
      if (done) say(done);
      await load();
      return result;
    } catch (error) {
      say(error.message, true);
      return null;
    }
  }

  function tokenTable(account) {
    const table = el("table", null, { class: "tokens" });
    const head = el("tr");
    for (const h of [
      "Khóa / Token",
      "Loại / Kind",
      "Tạo lúc / Created",
      "Dùng gần nhất / Last used",
      "Hết hạn / Expires",
      "Thu hồi / Revoked",
      "Quyết định / Decision",
      "",
    ])
      head.append(el("th", h));
    table.append(head);
    for (const token of account.tokens) {
      const row = el("tr", null, { "data-token-id": String(token.id) });
      if (token.revoked_at) row.className = "revoked";
      row.append(
        el("td", token.name),
        el("td", KINDS[token.kind] || token.kind),
        el("td", formatDate(token.created_at)),
        el("td", formatDate(token.last_used_at)),
        el("td", token.expires_at ? formatDate(token.expires_at) : "Không hết hạn / Never"),
        el("td", token.revoked_at ? formatDate(token.revoked_at) : "—"),
        el("td", token.decision_number || "—", { class: "decision" }),
      );
      const cell = el("td");
      if (!token.revoked_at) {
        cell.append(
          button("Thu hồi / Revoke", "revoke", () => revokeToken(account, token), true),
        );
      }
      row.append(cell);
      table.append(row);
    }
    return table;
  }

  function renderAccounts() {
    const body = $("accounts").querySelector("tbody");
    body.replaceChildren();
    for (const account of accounts) {
      const row = el("tr", null, { "data-username": account.username });
      if (!account.active) row.className = "disabled";
      const who = el("td");
      who.append(el("strong", account.username));
      if (account.display_name) who.append(el("br"), el("span", account.display_name));
      const actions = el("td");
      actions.append(button("Sửa / Edit", "edit", () => openEdit(account)));
      if (account.active) {
        actions.append(button("Khóa / Disable", "disable", () => setActive(account, false), true));
      } else {
        actions.append(button("Mở khóa / Enable", "enable", () => setActive(account, true)));
      }
      actions.append(
        button("Đặt lại mật khẩu / Reset password", "reset-password", () => resetPassword(account), true),
        button("Tạo khóa / New token", "new-token", () => openToken(account)),
      );
      const signIn = account.last_sign_in ? formatDate(account.last_sign_in) : "Chưa đăng nhập / Never";
      row.append(
        who,
        el("td", roleLabel(account.role), { class: "role" }),
        el("td", provincesLabel(account.provinces), { class: "provinces" }),
        el("td", account.active ? "Đang hoạt động / Active" : "Đã khóa / Disabled", { class: "state" }),
        el("td", signIn, { class: "last-sign-in" }),
        actions,
      );
      body.append(row);
      if (account.tokens.length) {
        const tokensRow = el("tr", null, { class: "token-row", "data-tokens-of": account.username });
        const cell = el("td", null, { colspan: "6" });
        cell.append(tokenTable(account));
        tokensRow.append(cell);
        body.append(tokensRow);
      }
    }
  }

  function describe(change) {
    const d = change.details || {};
    const label = ACTIONS[change.action] || change.action;
    if (change.action === "role") return `${label}: ${roleLabel(d.from)} → ${roleLabel(d.to)}`;
    if (change.action === "provinces") return `${label}: ${provincesLabel(d.from)} → ${provincesLabel(d.to)}`;
    if (change.action === "create") return `${label}: ${roleLabel(d.role)}, ${provincesLabel(d.provinces ?? null)}`;
    if (change.action === "token_create")
      return `${label}: ${d.name}${d.decision ? ` (quyết định / decision ${d.decision})` : ""}`;
    return label;
  }

  function renderChanges(changes) {
    const body = $("changes").querySelector("tbody");
    body.replaceChildren();
    for (const change of changes) {
      const row = el("tr");
      row.append(
        el("td", formatDate(change.changed_at)),
        el("td", change.actor_name || "—"),
        el("td", change.account_name),
        el("td", describe(change)),
      );
      body.append(row);
    }
  }

  async function load() {
    const [list, changes] = await Promise.all([api("GET", "/api/accounts"), api("GET", "/api/accounts/changes")]);
    accounts = list;
    renderAccounts();
    renderChanges(changes);
  }

  function chosenProvinces(form) {
    if (form.querySelector(".all-provinces").checked) return null;
    return [...form.querySelectorAll("input[name=province]:checked")].map((box) => box.value);
  }

  function setProvinceBoxes(form, codes) {
    form.querySelector(".all-provinces").checked = codes === null;
    for (const box of form.querySelectorAll("input[name=province]")) box.checked = codes !== null && codes.includes(box.value);
  }

  // Ticking a province unticks "all provinces" and the other way round.
  for (const form of document.querySelectorAll("form")) {
    const all = form.querySelector(".all-provinces");
    if (!all) continue;
    all.addEventListener("change", () => {
      if (all.checked) for (const box of form.querySelectorAll("input[name=province]")) box.checked = false;
    });
    for (const box of form.querySelectorAll("input[name=province]"))
      box.addEventListener("change", () => {
        if (box.checked) all.checked = false;
      });
  }

  function openEdit(account) {
    editing = account;
    const form = $("edit-form");
    $("edit-username").textContent = account.username;
    $("edit-role").value = account.role;
    setProvinceBoxes(form, account.provinces);
    $("edit-dialog").showModal();
  }

  $("edit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const account = editing;
    const provinces = chosenProvinces(event.target);
    if (provinces !== null && provinces.length === 0) {
      say("Chọn ít nhất một tỉnh hoặc “Tất cả tỉnh” / Choose at least one province or “All provinces”", true);
      return;
    }
    $("edit-dialog").close();
    await run(
      () => api("PATCH", `/api/accounts/${encodeURIComponent(account.username)}`, { role: $("edit-role").value, provinces }),
      `Đã lưu ${account.username} / Saved ${account.username}`,
    );
  });

  async function setActive(account, active) {
    if (!active && !window.confirm(`Khóa tài khoản ${account.username}? Mọi khóa truy cập và phiên đăng nhập của tài khoản sẽ bị thu hồi.\nDisable ${account.username}? All its tokens and sessions are revoked.`))
      return;
    await run(
      () => api("PATCH", `/api/accounts/${encodeURIComponent(account.username)}`, { active }),
      active ? `Đã mở khóa ${account.username} / Enabled` : `Đã khóa ${account.username} / Disabled`,
    );
  }

  async function resetPassword(account) {
    if (!window.confirm(`Đặt lại mật khẩu của ${account.username}? Mật khẩu cũ và các phiên đăng nhập sẽ hết hiệu lực.\nReset the password of ${account.username}? The old password and its sessions stop working.`))
      return;
    const result = await run(() => api("POST", `/api/accounts/${encodeURIComponent(account.username)}/password`));
    if (result) showSecret(`Mật khẩu mới của ${account.username} / New password of ${account.username}:`, result.password);
  }

  function openToken(account) {
    editing = account;
    $("token-username").textContent = account.username;
    $("token-form").reset();
    $("token-dialog").showModal();
  }

  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const account = editing;
    const body = { name: $("token-name").value.trim(), decision: $("token-decision").value || null };
    $("token-dialog").close();
    const result = await run(() => api("POST", `/api/accounts/${encodeURIComponent(account.username)}/tokens`, body));
    if (result) showSecret(`Khóa truy cập mới “${result.name}” của ${account.username} / New token for ${account.username}:`, result.token);
  });

  async function revokeToken(account, token) {
    if (!window.confirm(`Thu hồi khóa “${token.name}” của ${account.username}? Khóa sẽ ngừng hoạt động ngay.\nRevoke the token “${token.name}”? It stops working at once.`))
      return;
    await run(
      () => api("DELETE", `/api/accounts/${encodeURIComponent(account.username)}/tokens/${token.id}`),
      `Đã thu hồi khóa / Token revoked`,
    );
  }

  $("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const provinces = chosenProvinces(form);
    if (provinces !== null && provinces.length === 0) {
      say("Chọn ít nhất một tỉnh hoặc “Tất cả tỉnh” / Choose at least one province or “All provinces”", true);
      return;
    }
    const body = {
      username: $("new-username").value.trim(),
      display_name: $("new-display-name").value.trim() || null,
      role: $("new-role").value,
      provinces,
      password: $("new-password").value || null,
    };
    const result = await run(() => api("POST", "/api/accounts", body), `Đã tạo ${body.username} / Created ${body.username}`);
    if (result) {
      form.reset();
      if (result.password) showSecret(`Mật khẩu của ${result.username} / Password of ${result.username}:`, result.password);
    }
  });

  for (const cancel of document.querySelectorAll("dialog .cancel"))
    cancel.addEventListener("click", () => cancel.closest("dialog").close());
  $("admin-secret-close").addEventListener("click", () => {
    $("admin-secret-value").textContent = "";
    $("admin-secret").hidden = true;
  });

  load().catch((error) => say(error.message, true));
})();
