// Glossary in the editor: keyboard access to terms and to dismissing QA warnings.
(function () {
  "use strict";

  document.addEventListener("keydown", function (ev) {
    const el = ev.target;
    if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey || ev.altKey || !el.matches) return;
    // A reason typed inside the edit row must dismiss the warning, not save the segment.
    if (el.matches("input.qa-reason")) {
      ev.preventDefault();
      const button = el.parentElement.querySelector("button");
      if (button) button.click();
      return;
    }
    // Enter on a focused term opens its segment, as Enter on the row does.
    if (el.matches("mark.term")) {
      const row = el.closest("tr.seg");
      if (row && !row.classList.contains("editing") && !row.classList.contains("review")) {
        ev.preventDefault();
        htmx.trigger(row, "open");
      }
    }
  });
})();
