// The sheet's print button (no inline handlers: the pages run under a script-src 'self' policy).
document.getElementById("print-sheet").addEventListener("click", () => window.print());
