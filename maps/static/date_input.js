// Dates entered as the board writes them, dd/mm/yyyy, whatever the browser's language.
//
// Chromium draws <input type="date"> in the browser's locale (mm/dd/yyyy on an English system) and ignores
// lang="vi". Every date input of the pages (and those the workspace adds later) becomes a text input that shows and
// takes dd/mm/yyyy (digits typed are grouped as 16/03/2026; 16.03.2026, 16-03-2026 and 2026-03-16 are read too),
// refuses a date that does not exist with a sentence, and keeps the pages' scripts unchanged: its `value` still
// reads and takes ISO dates (2026-03-16), "" while what is typed is not a whole real date.
(function () {
  "use strict";
  const NATIVE = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  const MESSAGE = "Ngày viết theo dạng ngày/tháng/năm, ví dụ 16/03/2026 / Write the date as dd/mm/yyyy, e.g. 16/03/2026";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // What a person typed, as an ISO date; null when it is not a whole real date, "" when nothing is typed.
  function toIso(text) {
    const t = (text || "").trim();
    if (!t) return "";
    let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
    const [y, mo, d] = m ? [m[1], m[2], m[3]] : ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t)) ? [m[3], m[2], m[1]] : []);
    if (!y) return null;
    const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) {
      return null;
    }
    return `${y}-${pad(mo)}-${pad(d)}`;
  }

  // An ISO date as dd/mm/yyyy; anything else unchanged.
  function toShown(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : (value || "");
  }

  // Eight digits typed in a row become dd/mm/yyyy.
  function grouped(text) {
    const digits = /^(\d{2})(\d{2})(\d{4})$/.exec(text.trim());
    return digits ? `${digits[1]}/${digits[2]}/${digits[3]}` : text;
  }

  function check(input) {
    const iso = toIso(NATIVE.get.call(input));
    input.setCustomValidity(iso === null ? MESSAGE : "");
    input.classList.toggle("za-date-invalid", iso === null);
    input.title = iso === null ? MESSAGE : "ngày/tháng/năm / dd/mm/yyyy";
    return iso;
  }

  function enhance(input) {
    if (input.dataset.zaDate) return;
    const iso = NATIVE.get.call(input);
    input.dataset.zaDate = "1";
    input.type = "text";
    input.inputMode = "numeric";
    input.autocomplete = "off";
    input.maxLength = 10;
    input.placeholder = "dd/mm/yyyy";
    input.classList.add("za-date");
    Object.defineProperty(input, "value", {
      configurable: true,
      get() {
        return toIso(NATIVE.get.call(this)) || "";
      },
      set(value) {
        NATIVE.set.call(this, toShown(value));
        check(this);
      },
    });
    NATIVE.set.call(input, toShown(iso));
    input.addEventListener("input", () => {
      const shown = grouped(NATIVE.get.call(input));
      if (shown !== NATIVE.get.call(input)) NATIVE.set.call(input, shown);
      if (toIso(shown) !== null) check(input);
    });
    input.addEventListener("change", () => {
      const iso2 = check(input);
      if (iso2) NATIVE.set.call(input, toShown(iso2));
    });
    input.addEventListener("blur", () => check(input));
  }

  function enhanceAll(root) {
    if (root.matches && root.matches("input[type=date]")) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll("input[type=date]").forEach(enhance);
  }

  window.ZoneAtlasDates = { toIso, toShown, enhanceAll };
  const start = () => {
    enhanceAll(document);
    new MutationObserver((changes) => {
      changes.forEach((c) => c.addedNodes.forEach((node) => { if (node.nodeType === 1) enhanceAll(node); }));
    }).observe(document.body, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
