// Split and merge, and the rows before a list that starts inside its page (#14): the list
// that comes back keeps the rows the page had, and the focus stays where it was.
(function () {
  "use strict";

  function listRows() {
    return document.querySelectorAll("#segment-list tr.seg").length;
  }

  // The list's own query (offset and filter) and how many rows are loaded, as one
  // parameter: the split's own "offset" is a character offset.
  function listState() {
    const list = document.getElementById("segment-list");
    if (!list) return null;
    const query = new URL(list.getAttribute("hx-get"), window.location.href).searchParams;
    query.set("rows", String(listRows() + 1));
    return query.toString();
  }

  let keepInView = null;

  document.addEventListener("htmx:configRequest", function (ev) {
    const path = ev.detail.path || "";
    if (ev.detail.verb === "post" && /\/segments\/\d+\/(split|merge)$/.test(path)) {
      const state = listState();
      if (state !== null) ev.detail.parameters.list = state;
      const row = document.getElementById("segment-list") && ev.detail.elt.closest && ev.detail.elt.closest("tr.seg");
      if (row && row.dataset.view && !ev.detail.parameters.view) ev.detail.parameters.view = row.dataset.view;
      return;
    }
    const less = ev.detail.elt.closest && ev.detail.elt.closest("#seg-less");
    if (less && ev.detail.verb === "get") {
      // The rows before are added on top of those loaded, which all stay.
      ev.detail.parameters.rows = listRows() + Number(ev.detail.elt.dataset.adds || 0);
      const first = document.querySelector("#segment-list tr.seg");
      const active = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr.seg");
      keepInView = { first: first ? first.id : null, focus: active ? active.id : null };
    }
  });

  document.addEventListener("htmx:afterSettle", function (ev) {
    if (!keepInView || !ev.detail.elt || ev.detail.elt.id !== "segment-list") return;
    const keep = keepInView;
    keepInView = null;
    const first = keep.first && document.getElementById(keep.first);
    const prev = first && first.previousElementSibling;
    if (prev && prev.matches("tr.seg")) {
      // Arrow-up loaded them: the focus moves onto the row just above.
      if (keep.focus === keep.first) { prev.focus({ preventScroll: true }); prev.scrollIntoView({ block: "nearest" }); return; }
    }
    const focus = keep.focus && document.getElementById(keep.focus);
    if (focus) focus.focus({ preventScroll: true });
    if (first) first.scrollIntoView({ block: "nearest" });
  });

  // The server names the segment a split or merge kept: the focus goes back onto it.
  document.addEventListener("focus-segment", function (ev) {
    const row = document.getElementById("seg-" + ev.detail.id);
    if (!row) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  });
})();
