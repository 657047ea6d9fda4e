// Keyboard-first segment editing on top of htmx: open, save, move, and keep every
// keystroke in the browser until the server has confirmed it.
(function () {
  "use strict";

  const DRAFT_PREFIX = "workbench:draft:";
  let openedAt = 0;

  function rows() {
    return Array.from(document.querySelectorAll("#segment-list tr.seg"));
  }

  function rowOf(el) {
    return el && el.closest ? el.closest("tr.seg") : null;
  }

  function draftKey(id) {
    return DRAFT_PREFIX + id;
  }

  function readDraft(id) {
    try {
      return JSON.parse(localStorage.getItem(draftKey(id)) || "null");
    } catch (e) {
      return null;
    }
  }

  function writeDraft(id, text, version) {
    try {
      localStorage.setItem(draftKey(id), JSON.stringify({ text: text, version: version, at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the server save is still attempted */
    }
  }

  function clearDraft(id) {
    localStorage.removeItem(draftKey(id));
  }

  function markDrafts() {
    rows().forEach(function (row) {
      const badge = row.querySelector(".draft-badge");
      if (badge) badge.hidden = !readDraft(row.dataset.id);
    });
  }

  function openRow(row) {
    if (!row || row.classList.contains("editing")) return;
    htmx.trigger(row, "open");
  }

  function focusRow(row) {
    if (!row) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(row, step) {
    const all = rows();
    const i = all.indexOf(row);
    const next = all[i + step];
    if (next) return next;
    // Past the visible page: follow the pager, opening the first or last row there.
    const link = document.querySelector(step > 0 ? ".pager a[rel=next]" : ".pager a[rel=prev]");
    if (link) window.location.href = link.href + "&open=" + (step > 0 ? "first" : "last");
    return null;
  }

  function cancel(row) {
    htmx.ajax("GET", row.dataset.rowUrl, { target: row, swap: "outerHTML" });
  }

  function save(row, go) {
    const form = row.querySelector("form.edit-form");
    form.querySelector("input[name=go]").value = go || "";
    form.querySelector("input[name=seconds]").value = ((performance.now() - openedAt) / 1000).toFixed(1);
    htmx.trigger(form, "submit");
  }

  function leave(row, step) {
    // Moving away keeps what was typed as a local draft; it is not saved silently.
    const next = move(row, step);
    if (!next) return;
    const ta = row.querySelector("textarea");
    if (ta && ta.value !== ta.defaultValue) writeDraft(row.dataset.id, ta.value, row.dataset.version);
    cancel(row);
    openRow(document.getElementById(next.id));
  }

  function splitOffset(row) {
    const sel = window.getSelection();
    const src = row.querySelector("td.src");
    if (sel && sel.anchorNode && src.contains(sel.anchorNode) && sel.anchorNode.nodeType === 3) {
      return sel.anchorOffset;
    }
    const ta = row.querySelector("textarea");
    if (document.getElementById("editor").dataset.mode === "review" && ta.value === row.dataset.mt) {
      return ta.selectionStart;
    }
    return null;
  }

  function autosize(ta) {
    ta.style.height = "auto";
    ta.style.height = ta.scrollHeight + 2 + "px";
  }

  function onEditRow(row) {
    const ta = row.querySelector("textarea");
    if (!ta) return;
    openedAt = performance.now();
    const draft = readDraft(row.dataset.id);
    if (draft && draft.text !== ta.value && !row.classList.contains("conflict")) {
      ta.value = draft.text;
      const badge = row.querySelector(".draft-badge");
      if (badge) badge.hidden = false;
    }
    autosize(ta);
    ta.focus({ preventScroll: true });
    ta.setSelectionRange(ta.value.length, ta.value.length);
    row.scrollIntoView({ block: "nearest" });
    ta.addEventListener("input", function () {
      autosize(ta);
      writeDraft(row.dataset.id, ta.value, row.dataset.version);
      const badge = row.querySelector(".draft-badge");
      if (badge) badge.hidden = false;
    });
  }

  document.addEventListener("keydown", function (ev) {
    const row = rowOf(ev.target);
    const ctrl = ev.ctrlKey || ev.metaKey;
    if (row && row.classList.contains("editing")) {
      if (ctrl && ev.key === "Enter") { ev.preventDefault(); save(row, "next"); }
      else if (ev.key === "Escape") { ev.preventDefault(); clearDraft(row.dataset.id); cancel(row); focusRow(document.getElementById(row.id)); }
      else if (ctrl && ev.key === "ArrowDown") { ev.preventDefault(); leave(row, 1); }
      else if (ctrl && ev.key === "ArrowUp") { ev.preventDefault(); leave(row, -1); }
      else if (ctrl && (ev.key === "i" || ev.key === "I")) {
        ev.preventDefault();
        const ta = row.querySelector("textarea");
        ta.value = row.dataset.copy || "";
        ta.dispatchEvent(new Event("input"));
      }
      return;
    }
    if (row && ev.target === row) {
      if (ev.key === "Enter") { ev.preventDefault(); openRow(row); }
      else if (ev.key === "ArrowDown" || (ctrl && ev.key === "ArrowDown")) { ev.preventDefault(); focusRow(move(row, 1)); }
      else if (ev.key === "ArrowUp" || (ctrl && ev.key === "ArrowUp")) { ev.preventDefault(); focusRow(move(row, -1)); }
    }
  });

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest("button[data-action]");
    if (!btn) return;
    const row = rowOf(btn);
    const action = btn.dataset.action;
    if (action === "cancel") { clearDraft(row.dataset.id); cancel(row); }
    else if (action === "copy") {
      const ta = row.querySelector("textarea");
      ta.value = row.dataset.copy || "";
      ta.dispatchEvent(new Event("input"));
      ta.focus();
    } else if (action === "take-theirs") {
      const ta = row.querySelector("textarea");
      writeDraft(row.dataset.id, ta.value, row.dataset.version);
      ta.value = btn.dataset.text;
      ta.focus();
    } else if (action === "split") {
      const offset = splitOffset(row);
      if (offset === null) {
        alert("Click in the text where the segment should be split, then press Split.");
        return;
      }
      htmx.ajax("POST", btn.dataset.splitUrl, { values: { offset: offset }, target: row, swap: "outerHTML" });
    }
  });

  document.addEventListener("htmx:load", function (ev) {
    const el = ev.detail.elt;
    if (el.matches && el.matches("tr.seg.editing")) onEditRow(el);
    if (el.matches && el.matches("tr.seg.just-saved")) {
      clearDraft(el.dataset.id);
      document.body.dispatchEvent(new CustomEvent("segment-saved"));
    }
    if (el.id === "segment-list") markDrafts();
  });

  // The server asks to open a segment after a save (Ctrl+Enter).
  document.addEventListener("open-segment", onOpenSegment);
  document.addEventListener("DOMContentLoaded", function () {
    markDrafts();
    const params = new URLSearchParams(window.location.search);
    const list = document.getElementById("segment-list");
    let target = null;
    if (params.get("open") === "first") target = rows()[0];
    else if (params.get("open") === "last") target = rows()[rows().length - 1];
    else if (list && list.dataset.goto) target = rows().find(function (r) { return r.dataset.number === list.dataset.goto; });
    if (target) openRow(target);
    else if (rows()[0]) rows()[0].focus({ preventScroll: true });
  });

  function onOpenSegment(ev) {
    const row = document.getElementById("seg-" + ev.detail.id);
    if (row) openRow(row);
    else {
      const link = document.querySelector(".pager a[rel=next]");
      if (link) window.location.href = link.href + "&open=first";
    }
  }

  // A save that never reached the server keeps its draft and says so.
  document.addEventListener("htmx:sendError", function (ev) {
    const row = rowOf(ev.detail.elt);
    if (!row) return;
    const badge = row.querySelector(".draft-badge");
    if (badge) { badge.hidden = false; badge.textContent = "unsaved: offline"; }
  });
  document.addEventListener("htmx:responseError", function (ev) {
    const row = rowOf(ev.detail.elt);
    if (!row) return;
    const badge = row.querySelector(".draft-badge");
    if (badge) { badge.hidden = false; badge.textContent = "unsaved: server error " + ev.detail.xhr.status; }
  });

  window.workbench = { readDraft: readDraft, rows: rows };
})();
