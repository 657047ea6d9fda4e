// The documents dashboard: keep the keyboard where the person works when a row swaps itself
// (its Assign form, the archive notice with its Undo, the row back after Undo), and let Esc
// close an open Assign form.
(function () {
  "use strict";

  htmx.onLoad(function (root) {
    if (!root.matches || !root.closest("#dashboard")) return;
    var target = null;
    if (root.matches("tr.planning")) target = root.querySelector("select[name=translator]");
    else if (root.matches("tr.doc-notice")) target = root.querySelector("button");
    // Not "Delete for good": an Enter pressed on the way must not delete anything.
    else if (root.matches("tr.doc-confirm")) target = root.querySelector("a.button");
    else if (root.matches("tr.doc") && document.activeElement === document.body) {
      target = root.querySelector(".row-actions button, .row-actions a");
    }
    if (target) target.focus();
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    var row = ev.target.closest && ev.target.closest("#dashboard tr.planning, #dashboard tr.doc-confirm");
    if (!row) return;
    // By its class, not its text: the text is in the reader's language.
    var cancel = row.querySelector("a.button.cancel");
    if (cancel) { ev.preventDefault(); cancel.click(); }
  });
})();
