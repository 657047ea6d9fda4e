// The alignment view (#13), keyboard only: ↑/↓ move between rows, ←/→ move the split point
// in the row's English (word by word, from its start to its end), J joins the row's English with the next row's, S splits it at the
// split point, Enter accepts. Joins and splits answer with the rows, which replace the list.
(function () {
  "use strict";

  function csrfHeaders() {
    const raw = document.body.getAttribute("hx-headers");
    try { return raw ? JSON.parse(raw) : {}; } catch (e) { return {}; }
  }

  function section() { return document.getElementById("align-rows"); }
  function rows() { return Array.from(document.querySelectorAll("#align-rows .align-row")); }

  // Where S splits a row: the start of a word in its English (text = sentences joined by spaces).
  function wordStarts(text) {
    const starts = [0];
    for (let i = 1; i < text.length; i++) {
      if (text[i - 1] === " " && text[i] !== " ") starts.push(i);
    }
    starts.push(text.length);
    return starts;
  }

  function defaultSplit(row) {
    const bounds = (row.dataset.bounds || "").trim().split(" ").filter(Boolean).map(Number);
    if (bounds.length) return bounds[0];
    const starts = wordStarts(row.dataset.text || "").slice(1, -1);
    if (!starts.length) return null;
    const middle = (row.dataset.text || "").length / 2;
    return starts.reduce((best, at) => Math.abs(at - middle) < Math.abs(best - middle) ? at : best);
  }

  // Show the split point as ✂ in the focused row's English; other rows show their sentences.
  function showSplit(row) {
    rows().forEach((r) => {
      const mark = r.querySelector(".align-split");
      if (mark && r !== row) { r.querySelector(".align-en").replaceChildren(...r._sentences); }
    });
    const cell = row.querySelector(".align-en");
    if (!row._sentences) row._sentences = Array.from(cell.childNodes);
    const text = row.dataset.text || "";
    const at = row._split;
    if (at == null || !text) { cell.replaceChildren(...row._sentences); return; }
    const mark = document.createElement("span");
    mark.className = "align-split";
    mark.textContent = "✂";
    mark.setAttribute("aria-label", t("split point"));
    cell.replaceChildren(document.createTextNode(text.slice(0, at)), mark,
                         document.createTextNode(text.slice(at)));
  }

  function focusRow(row) {
    if (!row) return;
    rows().forEach((r) => { r.tabIndex = -1; r.classList.remove("current"); });
    row.tabIndex = 0;
    row.classList.add("current");
    if (row._split === undefined) row._split = defaultSplit(row);
    showSplit(row);
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function current() { return document.querySelector("#align-rows .align-row.current") || rows()[0]; }

  async function post(edit, fields) {
    const sec = section();
    const body = new FormData();
    body.append("version", sec.dataset.version);
    Object.entries(fields).forEach(([k, v]) => body.append(k, v));
    const headers = Object.assign({ "HX-Request": "true", "HX-Target": "align-rows" }, csrfHeaders());
    const resp = await fetch(sec.dataset.base + "/" + edit, {
      method: "POST", headers: headers, body: body, credentials: "same-origin" });
    const html = await resp.text();
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("#align-rows");
    if (!fresh) { window.location.reload(); return; }
    sec.replaceWith(fresh);
    start();
  }

  function onKey(event) {
    const row = event.target.closest && event.target.closest(".align-row");
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    const list = rows();
    const index = list.indexOf(row);
    const key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      focusRow(list[index + (key === "ArrowDown" ? 1 : -1)] || row);
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      const starts = wordStarts(row.dataset.text || "");
      if (!starts.length) return;
      const at = row._split == null ? starts[1] || 0 : row._split;
      const pos = starts.indexOf(at);
      const next = key === "ArrowRight" ? starts[Math.min(pos + 1, starts.length - 1)]
                                        : starts[Math.max(pos - 1, 0)];
      row._split = next;
      showSplit(row);
    } else if (key === "j" || key === "J") {
      event.preventDefault();
      post("join", { row: row.dataset.row });
    } else if (key === "s" || key === "S") {
      event.preventDefault();
      post("split", { row: row.dataset.row, at: row._split == null ? "" : row._split });
    } else if (key === "Enter") {
      const form = document.getElementById("align-accept");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    }
  }

  function start() {
    const sec = section();
    if (!sec || !sec.dataset.version) return;
    sec.addEventListener("keydown", onKey);
    const list = rows();
    const wanted = list.find((r) => r.dataset.row === sec.dataset.focus) || list[0];
    if (wanted) focusRow(wanted);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
