// The dictionary panel: look up the German word at the cursor (Ctrl+D or Alt+D), any German
// word with Alt+click, or a German term of the English column with a click.
(function () {
  "use strict";

  const LETTER = /[\p{L}\p{M}\-]/u;
  let returnTo = null;

  function panel() { return document.getElementById("dict-panel"); }

  // The word around position `at` in `text`: letters, combining marks and inner hyphens.
  function wordAt(text, at) {
    let start = at, end = at;
    while (start > 0 && LETTER.test(text[start - 1])) start--;
    while (end < text.length && LETTER.test(text[end])) end++;
    return text.slice(start, end).replace(/^-+|-+$/g, "");
  }

  function selectedWord(el) {
    if (el && (el.matches("textarea, input[type=text], input[type=search], input:not([type])"))) {
      const picked = el.value.slice(el.selectionStart, el.selectionEnd).trim();
      return picked || wordAt(el.value, el.selectionStart);
    }
    const sel = window.getSelection ? String(window.getSelection()).trim() : "";
    if (sel) return sel;
    if (el && el.matches && el.matches("mark.term")) return el.textContent.trim();
    return "";
  }

  function open() {
    const box = panel();
    if (!box) return null;
    if (box.hidden) {
      returnTo = document.activeElement;
      box.hidden = false;
      document.getElementById("editor").classList.add("with-dict");
      // The narrower table re-wraps: keep the row being worked on in view.
      const row = returnTo && returnTo.closest ? returnTo.closest("tr.seg") : null;
      if (row) row.scrollIntoView({ block: "nearest" });
    }
    return box;
  }

  function close() {
    const box = panel();
    if (!box || box.hidden) return;
    box.hidden = true;
    document.getElementById("editor").classList.remove("with-dict");
    const back = returnTo;
    returnTo = null;
    if (back && back.isConnected && back !== document.body) back.focus({ preventScroll: true });
  }

  function lookup(word) {
    const box = open();
    if (!box) return;
    word = (word || "").trim().slice(0, 200);
    const input = document.getElementById("dict-q");
    input.value = word;
    if (!word) { input.focus(); return; }
    const doc = box.querySelector("input[name=doc]").value;
    htmx.ajax("GET", box.dataset.url + "?q=" + encodeURIComponent(word) + "&doc=" + encodeURIComponent(doc),
      { target: "#dict-results", swap: "innerHTML" });
  }

  document.addEventListener("keydown", function (ev) {
    if (!panel()) return;
    const key = ev.key === "d" || ev.key === "D";
    if (key && !ev.shiftKey && !ev.metaKey && (ev.ctrlKey !== ev.altKey)) {
      ev.preventDefault();
      lookup(selectedWord(ev.target));
      return;
    }
    if (ev.key === "Escape" && panel().contains(ev.target)) {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    }
  }, true);

  // Caught before the row's own click (which opens it), so a lookup never opens the segment.
  document.addEventListener("click", function (ev) {
    const term = ev.target.closest && ev.target.closest("[data-lookup]");
    if (term) {
      ev.preventDefault();
      ev.stopPropagation();
      lookup(term.dataset.lookup);
      return;
    }
    if (!ev.altKey || !panel()) return;
    const cell = ev.target.closest && ev.target.closest("#segment-list td.tgt, #segment-list td.src");
    if (!cell || !document.caretRangeFromPoint) return;
    const range = document.caretRangeFromPoint(ev.clientX, ev.clientY);
    if (!range || range.startContainer.nodeType !== Node.TEXT_NODE) return;
    const word = wordAt(range.startContainer.textContent, range.startOffset);
    if (!word) return;
    ev.preventDefault();
    ev.stopPropagation();
    lookup(word);
  }, true);

  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-dict-close]")) { close(); return; }
    const use = ev.target.closest("button.use-en");
    if (!use) return;
    const form = document.querySelector("#dict-results form.dict-term");
    if (!form) return;
    form.querySelector("input[name=terms_de]").value = use.dataset.de;
    form.querySelector("input[name=terms_en]").value = use.dataset.en;
    form.querySelector("input[name=origin]").value = "FreeDict: " + use.dataset.de + " → " + use.dataset.en;
    form.querySelector("input[name=terms_en]").focus();
  });

  window.workbenchDictionary = { lookup: lookup, close: close, wordAt: wordAt };
})();
