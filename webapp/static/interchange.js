// Translation memory and inline tags in the editor: Ctrl+1..3 inserts a fuzzy match,
// Ctrl+K searches the memory for the selected words, and a tag token such as ⟨1⟩ is
// deleted whole, so that a translator moves tags but never leaves half of one behind.
(function () {
  "use strict";

  const TOKEN_BEFORE = /⟨\/?[0-9]+\/?⟩$/;
  const TOKEN_AFTER = /^⟨\/?[0-9]+\/?⟩/;

  function editingRow(el) {
    const row = el && el.closest ? el.closest("tr.seg.editing") : null;
    return row || document.querySelector("#segment-list tr.seg.editing");
  }

  function insertMatch(row, n) {
    const item = row && row.querySelector('.tm-match[data-n="' + n + '"]');
    const ta = row && row.querySelector("textarea[name=target]");
    if (!item || !ta || ta.readOnly) return false;
    ta.value = item.dataset.insert;
    // editor.js keeps the draft and resizes the box on "input", as for typing.
    ta.dispatchEvent(new Event("input"));
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    return true;
  }

  function selectedText() {
    const el = document.activeElement;
    if (el && el.tagName === "TEXTAREA" && el.selectionEnd > el.selectionStart) {
      return el.value.substring(el.selectionStart, el.selectionEnd);
    }
    return String(window.getSelection() || "");
  }

  // Words selected in the target (its edit box or the target column) are looked up on the
  // target side, glossary included, without switching sides by hand.
  function selectedSide() {
    const el = document.activeElement;
    if (el && el.tagName === "TEXTAREA" && el.selectionEnd > el.selectionStart) {
      return el.name === "target" || el.closest("td.tgt") ? "target" : "source";
    }
    const sel = window.getSelection();
    const node = sel && sel.anchorNode;
    const at = node && (node.nodeType === 1 ? node : node.parentElement);
    return at && at.closest && at.closest("td.tgt, .c-target") ? "target" : "source";
  }

  function concordanceHost() {
    let host = document.getElementById("concordance-host");
    if (!host) {
      host = document.createElement("aside");
      host.id = "concordance-host";
      host.className = "concordance-host";
      document.body.appendChild(host);
    }
    return host;
  }

  function openConcordance() {
    const text = selectedText().replace(/⟨\/?[0-9]+\/?⟩/g, " ").replace(/\s+/g, " ").trim();
    const editor = document.getElementById("editor");
    // The side is a guess from where the words were selected: the other one is tried too.
    const params = new URLSearchParams({ q: text.slice(0, 200), side: selectedSide(), fallback: "1" });
    if (editor && editor.dataset.doc) params.set("doc", editor.dataset.doc);
    const host = concordanceHost();
    host.hidden = false;
    htmx.ajax("GET", "/tm/concordance?" + params.toString(), { target: host, swap: "innerHTML" })
      .then(function () {
        const input = host.querySelector("input[name=q]");
        if (input) { input.focus(); input.select(); }
      });
  }

  function closeConcordance() {
    const host = document.getElementById("concordance-host");
    if (!host || host.hidden) return false;
    host.hidden = true;
    host.innerHTML = "";
    const row = editingRow(null);
    const ta = row && row.querySelector("textarea[name=target]");
    const current = document.querySelector('#segment-list tr.seg[tabindex="0"]');
    if (ta) ta.focus();
    else if (current) current.focus({ preventScroll: true });
    return true;
  }

  function deleteWholeToken(ev) {
    const ta = ev.target;
    if (ta.selectionStart !== ta.selectionEnd) return;
    const at = ta.selectionStart;
    let start = -1;
    let end = -1;
    if (ev.key === "Backspace") {
      const m = ta.value.slice(0, at).match(TOKEN_BEFORE);
      if (m) { start = at - m[0].length; end = at; }
    } else {
      const m = ta.value.slice(at).match(TOKEN_AFTER);
      if (m) { start = at; end = at + m[0].length; }
    }
    if (start < 0) return;
    ev.preventDefault();
    ta.setRangeText("", start, end, "end");
    ta.dispatchEvent(new Event("input"));
  }

  document.addEventListener("keydown", function (ev) {
    const ctrl = ev.ctrlKey || ev.metaKey;
    // Desktop Chrome keeps Ctrl+1..3 for its tabs, so Alt+1..3 does the same everywhere.
    const digit = /^Digit([123])$/.exec(ev.code || "");
    if (digit && !ev.shiftKey && (ctrl !== ev.altKey)) {
      const row = editingRow(ev.target);
      if (row && insertMatch(row, digit[1])) ev.preventDefault();
      return;
    }
    if (ctrl && !ev.altKey && (ev.key === "k" || ev.key === "K")) {
      if (!document.getElementById("editor")) return;
      ev.preventDefault();
      openConcordance();
      return;
    }
    // After a search the results replace the form, and the focus may have fallen to <body>.
    const host = document.getElementById("concordance-host");
    if (ev.key === "Escape" && host && !host.hidden && ev.target.closest &&
        (ev.target.closest("#concordance-host") || ev.target === document.body)) {
      if (closeConcordance()) ev.preventDefault();
      return;
    }
    if ((ev.key === "Backspace" || ev.key === "Delete") && !ctrl && ev.target.matches &&
        ev.target.matches("tr.seg.editing textarea[name=target]")) {
      deleteWholeToken(ev);
    }
  });

  document.addEventListener("click", function (ev) {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "tm-insert") {
      const item = button.closest(".tm-match");
      insertMatch(editingRow(button), item.dataset.n);
    } else if (button.dataset.action === "concordance-close") {
      closeConcordance();
    }
  });

  window.workbenchMemory = { insertMatch: insertMatch, openConcordance: openConcordance };
})();
