// Search and replace in the editor: Ctrl+H opens the replace bar under the filter (the
// selected words become the search), Enter / Shift+Enter in the search go to the next /
// previous hit, Esc closes the bar and puts the focus back on the segment.
(function () {
  "use strict";

  let returnTo = null;
  let wantHit = 0;

  function bar() { return document.getElementById("replace-bar"); }
  function search() { return document.getElementById("filter-q"); }
  function filters() { return document.getElementById("filters"); }

  function selectedText() {
    const el = document.activeElement;
    if (el && el.tagName === "TEXTAREA" && el.selectionEnd > el.selectionStart) {
      return el.value.substring(el.selectionStart, el.selectionEnd);
    }
    return String(window.getSelection() || "");
  }

  function refreshList() {
    const form = filters();
    if (form) htmx.trigger(form, "submit");
  }

  function openBar() {
    const box = bar();
    const q = search();
    if (!box || !q) return;
    const active = document.activeElement;
    // <body> is no place to come back to (Ctrl+H pressed before the first row had the focus).
    if (active && active !== document.body && !box.contains(active)
        && !filters().contains(active)) returnTo = active;
    const words = selectedText().replace(/⟨\/?[0-9]+\/?⟩/g, " ").replace(/\s+/g, " ").trim();
    let changed = false;
    if (words && words.length <= 200 && words !== q.value) { q.value = words; changed = true; }
    // A replace writes targets only: the search and its count follow it there.
    const field = filters().querySelector("select[name=in]");
    if (field && field.value !== "target") { field.value = "target"; changed = true; }
    box.hidden = false;
    if (changed) refreshList();
    q.focus();
    q.select();
  }

  function currentRow() {
    return document.querySelector("#segment-list tr.seg.hit-current") ||
      (returnTo && returnTo.isConnected ? returnTo.closest("tr.seg") : null) ||
      document.querySelector('#segment-list tr.seg[tabindex="0"]');
  }

  function closeBar() {
    const box = bar();
    if (!box || box.hidden) return false;
    box.hidden = true;
    const back = returnTo && returnTo.isConnected ? returnTo : null;
    returnTo = null;
    const row = document.querySelector("#segment-list tr.seg.hit-current");
    if (row) focusRow(row);
    else if (back) back.focus({ preventScroll: true });
    else if (currentRow()) focusRow(currentRow());
    else if (search()) search().focus();
    return true;
  }

  function focusRow(row) {
    document.querySelectorAll('#segment-list tr.seg[tabindex="0"]').forEach(function (r) {
      if (r !== row) r.setAttribute("tabindex", "-1");
    });
    if (!row.classList.contains("editing")) {
      row.setAttribute("tabindex", "0");
      row.focus({ preventScroll: true });
    } else {
      const ta = row.querySelector("textarea[name=target]");
      if (ta) ta.focus();
    }
    row.scrollIntoView({ block: "nearest" });
  }

  function hitRows() {
    return Array.from(document.querySelectorAll("#segment-list tr.seg")).filter(function (r) {
      return r.querySelector("mark.hit");
    });
  }

  // Marks the next (step 1) or previous (-1) row with a hit as the current one, keeping
  // the focus in the search box; past the loaded rows the list's next chunk is loaded.
  function goHit(step) {
    const hits = hitRows();
    const more = document.getElementById("seg-more");
    if (!hits.length) {
      if (more) { wantHit = step; htmx.trigger(more, "load-more"); }
      return;
    }
    const now = document.querySelector("#segment-list tr.seg.hit-current");
    let i = now ? hits.indexOf(now) + step : (step > 0 ? 0 : hits.length - 1);
    if (i >= hits.length && more) { wantHit = step; htmx.trigger(more, "load-more"); return; }
    i = (i + hits.length) % hits.length;
    if (now) now.classList.remove("hit-current");
    const row = hits[i];
    row.classList.add("hit-current");
    document.querySelectorAll('#segment-list tr.seg[tabindex="0"]').forEach(function (r) {
      r.setAttribute("tabindex", "-1");
    });
    if (!row.classList.contains("editing")) row.setAttribute("tabindex", "0");
    row.scrollIntoView({ block: "center" });
    const status = document.getElementById("hit-count");
    if (status) status.dataset.current = row.dataset.number;
  }

  document.addEventListener("keydown", function (ev) {
    const ctrl = ev.ctrlKey || ev.metaKey;
    if (ctrl && !ev.altKey && !ev.shiftKey && (ev.key === "h" || ev.key === "H")) {
      if (!bar()) return;
      ev.preventDefault();
      openBar();
      return;
    }
    const t = ev.target;
    if (!t || !t.closest) return;
    const inSearch = t.closest("#filters") || t.closest("#replace-bar");
    if (!inSearch) return;
    if (ev.key === "Escape" && bar() && !bar().hidden) {
      ev.preventDefault();
      closeBar();
      return;
    }
    if (ev.key === "Enter" && t.id === "filter-q" && !ctrl) {
      ev.preventDefault();
      const list = document.getElementById("segment-list");
      // Typed faster than the list followed: show the new search first, then its first hit.
      if (!list || list.dataset.query !== t.value.trim()) {
        wantHit = ev.shiftKey ? -1 : 1;
        refreshList();
        return;
      }
      goHit(ev.shiftKey ? -1 : 1);
    }
  });

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest && ev.target.closest("button[data-action]");
    if (!btn) return;
    if (btn.dataset.action === "replace-close") closeBar();
    else if (btn.dataset.action === "replace-discard") {
      const out = document.getElementById("replace-out");
      if (out) out.innerHTML = "";
      const q = search();
      if (q) q.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function (ev) {
    const el = ev.detail.elt;
    if (!wantHit || !el) return;
    if (el.id === "segment-list" || el.id === "seg-more" || !el.isConnected) {
      const step = wantHit;
      wantHit = 0;
      goHit(step);
    }
  });

  // A replace or its undo swaps out the very button that was pressed: the focus would fall
  // to <body>, where Esc and the keys no longer reach the bar. Give it to what the answer
  // offers next (Undo, a link to a segment left alone), or else to the replacement field.
  document.addEventListener("htmx:afterSettle", function (ev) {
    const out = ev.detail.target;
    if (!out || out.id !== "replace-out") return;
    const lost = !document.activeElement || document.activeElement === document.body
      || !document.activeElement.isConnected;
    if (!lost) return;
    const next = out.querySelector("button.undo-replace, button, a[href]")
      || document.getElementById("replace-with");
    if (next) next.focus();
  });

  window.workbenchReplace = { openBar: openBar, closeBar: closeBar, goHit: goHit };
})();
