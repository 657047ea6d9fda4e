// Touch screens: the row's "Save, next", "◂", "▸" and "Approve, next" buttons send the
// keyboard shortcuts editor.js answers, so a tap and a key take one path.
(function () {
  "use strict";

  const KEYS = {
    "save-next": "Enter",      // Ctrl+Enter in the text: save, open the next segment
    "next": "ArrowDown",       // Ctrl+↓: the next segment, the text kept as a draft
    "prev": "ArrowUp",         // Ctrl+↑: the previous one
    "approve-next": "Enter",   // Ctrl+Enter on a review row: approve, go to the next
  };

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest && ev.target.closest("button[data-touch]");
    if (!btn || !(btn.dataset.touch in KEYS)) return;
    const row = btn.closest("tr.seg");
    const target = btn.dataset.touch === "approve-next" ? row : row && row.querySelector("textarea[name=target]");
    if (!target) return;
    ev.preventDefault();
    target.dispatchEvent(new KeyboardEvent("keydown", {
      key: KEYS[btn.dataset.touch], ctrlKey: true, bubbles: true, cancelable: true,
    }));
  });
})();
