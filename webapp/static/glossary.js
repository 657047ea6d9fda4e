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
    // Enter on a focused term opens its segment, as Enter on the row does (below, with the
    // arrow keys that reach a row's terms).
    if (el.matches("mark.term")) {
      const row = el.closest("tr.seg");
      if (row && !row.classList.contains("editing") && !row.classList.contains("review")) {
        ev.preventDefault();
        htmx.trigger(row, "open");
      }
    }
  });

  // A row's terms are no Tab stops of their own (tabindex -1): → from the focused row goes to
  // its first term, → and ← move between its terms, ← from the first and Esc go back to the
  // row, ↑ and ↓ go back to the row and move on from there.
  function termsOf(row) {
    return Array.from(row.querySelectorAll("mark.term"));
  }

  document.addEventListener("keydown", function (ev) {
    const el = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.shiftKey || !el.matches) return;
    const row = el.closest("tr.seg");
    if (!row || row.classList.contains("editing")) return;
    if (el === row) {
      if (ev.key !== "ArrowRight") return;
      const first = termsOf(row)[0];
      if (first) { ev.preventDefault(); first.focus(); }
      return;
    }
    if (!el.matches("mark.term")) return;
    const terms = termsOf(row);
    const i = terms.indexOf(el);
    if (ev.key === "ArrowRight" && i < terms.length - 1) { ev.preventDefault(); terms[i + 1].focus(); }
    else if (ev.key === "ArrowLeft" && i > 0) { ev.preventDefault(); terms[i - 1].focus(); }
    else if (ev.key === "ArrowLeft" || ev.key === "Escape") { ev.preventDefault(); row.focus(); }
    else if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
      ev.preventDefault();
      row.focus();
      row.dispatchEvent(new KeyboardEvent("keydown", { key: ev.key, bubbles: true, cancelable: true }));
    }
  });
})();
