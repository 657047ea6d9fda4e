// Keyboard-first segment editing on top of htmx: open, save, move, and keep every
// keystroke in the browser until the server has confirmed it.
(function () {
  "use strict";

  // Drafts and pending saves belong to one person on one installation: a browser shared by
  // two people, or used for two servers, never shows or replays another person's text.
  const SCOPE = "workbench:" + (document.body.dataset.storageScope || "anonymous") + ":";
  const DRAFT_PREFIX = SCOPE + "draft:";
  const PENDING_PREFIX = SCOPE + "pending:";
  const HEARTBEAT_MS = 20000;
  let openedAt = 0;
  let heartbeat = null;

  function csrfHeaders() {
    const raw = document.body.getAttribute("hx-headers");
    try { return JSON.parse(raw || "{}"); } catch (e) { return {}; }
  }

  function post(url, values) {
    const body = new URLSearchParams(values || {});
    return fetch(url, { method: "POST", headers: csrfHeaders(), body: body, credentials: "same-origin" });
  }

  function startPresence(row) {
    stopPresence();
    const url = row.dataset.presenceUrl;
    if (!url) return;
    heartbeat = setInterval(function () {
      if (!document.body.contains(row)) { stopPresence(); post(url, { leave: "1" }).catch(function () {}); return; }
      post(url).catch(function () {});
    }, HEARTBEAT_MS);
  }

  function stopPresence() {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  }

  // Screen readers hear what a save came to through two live regions of the page, made
  // once when it loads: a polite one (saving, saved, its QA warnings, retries) and an
  // assertive one (a conflict). The rows are no live regions, so a swap never reads a row.
  function liveRegion(assertive) {
    const id = assertive ? "editor-alert" : "editor-status";
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.className = "visually-hidden live-region";
      el.setAttribute("role", assertive ? "alert" : "status");
      el.setAttribute("aria-live", assertive ? "assertive" : "polite");
      el.setAttribute("aria-atomic", "true");
      document.body.appendChild(el);
    }
    return el;
  }

  function announce(text, assertive) {
    const el = liveRegion(!!assertive);
    // Emptied first, so that the same words twice (two saves of a segment) are spoken twice.
    silence(el);
    el.announceTimer = setTimeout(function () { el.textContent = text; }, 30);
  }

  // Empty a region, and drop what it was about to say.
  function silence(el) {
    clearTimeout(el.announceTimer);
    el.textContent = "";
  }

  function numberOf(row) {
    return Number(row.dataset.number);
  }

  // "Segment 3 saved as Translated", with the QA warnings the saved text has.
  function announceSaved(row) {
    const badge = row.querySelector("td.st .badge");
    const state = badge ? badge.textContent.trim() : "";
    const warnings = row.querySelectorAll(".seg-glossary ul.qa > li");
    const labels = [];
    warnings.forEach(function (li) {
      const code = li.querySelector(".qa-code");
      const label = code ? code.textContent.trim() : "";
      if (label && labels.indexOf(label) < 0) labels.push(label);
    });
    if (warnings.length) {
      announce(nt("Segment %(number)s saved as %(state)s with %(n)s QA warning: %(labels)s.",
                  "Segment %(number)s saved as %(state)s with %(n)s QA warnings: %(labels)s.",
                  warnings.length, { number: numberOf(row), state: state, labels: labels.join(", ") }));
    } else {
      announce(t("Segment %(number)s saved as %(state)s.", { number: numberOf(row), state: state }));
    }
  }

  function announceConflict(row) {
    const note = row.querySelector(".conflict-note");
    const why = note ? note.textContent.replace(/\s+/g, " ").trim() : "";
    // The polite region would otherwise still say "Saving segment 3…".
    silence(liveRegion(false));
    announce(t("Segment %(number)s was not saved. %(why)s", { number: numberOf(row), why: why }), true);
  }

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

  // Roving focus: the list is one Tab stop, the current row (tabindex 0); the others are -1
  // and are reached with the arrow keys.
  function makeCurrent(row) {
    if (!row || row.getAttribute("tabindex") === "0") return;
    document.querySelectorAll('#segment-list tr.seg[tabindex="0"]').forEach(function (r) {
      if (r !== row) r.setAttribute("tabindex", "-1");
    });
    if (!row.classList.contains("editing")) row.setAttribute("tabindex", "0");
  }

  function ensureTabStop() {
    if (document.querySelector('#segment-list tr.seg[tabindex="0"], #segment-list tr.seg.editing')) return;
    const first = rows()[0];
    if (first) first.setAttribute("tabindex", "0");
  }

  document.addEventListener("focusin", function (ev) {
    const row = rowOf(ev.target);
    if (row && row.closest("#segment-list")) makeCurrent(row);
  });

  function focusRow(row) {
    if (!row) return;
    makeCurrent(row);
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  // A page's rows arrive in chunks: the last row, while more follow, is a "more" row that
  // loads the next chunk when it scrolls into view, or here when the keyboard needs it.
  function loadMore() {
    const more = document.getElementById("seg-more");
    if (!more) return Promise.resolve(false);
    if (!more.classList.contains("htmx-request")) htmx.trigger(more, "load-more");
    // Done when the new rows have settled: htmx gives them their triggers ("open") only
    // then, a moment after the "more" row has left the page.
    return new Promise(function (resolve) {
      const started = Date.now();
      function finish(done) {
        clearInterval(timer);
        document.removeEventListener("htmx:afterSettle", settled);
        resolve(done);
      }
      function settled() { if (!more.isConnected) finish(true); }
      document.addEventListener("htmx:afterSettle", settled);
      // Gone before we listened (a scroll had loaded it): its settling is over once htmx's
      // settle delay has passed since we saw it gone.
      let goneAt = 0;
      const timer = setInterval(function () {
        const now = Date.now();
        if (!more.isConnected && !goneAt) goneAt = now;
        if (goneAt && now - goneAt > htmx.config.defaultSettleDelay + 50) finish(true);
        else if (now - started > 15000) finish(!more.isConnected);
      }, 30);
    });
  }

  // Call then(next row) with the row `step` rows away, loading the page's next chunk if
  // it is not here yet; past the page's end, follow the pager to the next or previous page.
  let waitingSteps = 0;  // rows asked for (↓ pressed) while the next chunk was loading

  function move(row, step, then) {
    const i = rows().indexOf(row);
    const next = rows()[i + step];
    if (next) { then(next); return; }
    if (step > 0 && document.getElementById("seg-more")) {
      // Presses made while the chunk loads add up, rather than all landing on its first row.
      waitingSteps += step;
      if (waitingSteps > step) return;
      loadMore().then(function (loaded) {
        const steps = waitingSteps;
        waitingSteps = 0;
        // A press in the moment between the rows' arrival and now has already moved on
        // from `row`: count from where the focus is.
        const active = document.activeElement;
        const here = active && active.closest ? active.closest("tr.seg") : null;
        const from = here && rows().indexOf(here) > rows().indexOf(row) ? here : row;
        if (loaded) move(from, steps, then);
      });
      return;
    }
    const less = step < 0 && document.querySelector("#seg-less button");
    if (less) { less.click(); return; }  // the rows before, on this page (restructure.js)
    const link = document.querySelector(step > 0 ? ".pager a[rel=next]" : ".pager a[rel=prev]");
    if (link) window.location.href = link.href + "&open=" + (step > 0 ? "first" : "last");
  }

  function cancel(row) {
    stopPresence();
    if (row.dataset.presenceUrl) post(row.dataset.presenceUrl, { leave: "1" }).catch(function () {});
    htmx.ajax("GET", row.dataset.rowUrl, { target: row, swap: "outerHTML" });
  }

  // Esc (or Cancel) closes the row without saving; text typed there is kept in this page
  // and offered back by a "Restore what you typed" button in the closed row.
  const discarded = {};
  const restoring = {};

  function discard(row) {
    const ta = row.querySelector("textarea[name=target]");
    if (ta && !row.classList.contains("conflict") && ta.value !== ta.defaultValue) {
      discarded[row.dataset.id] = ta.value;
    }
    clearDraft(row.dataset.id);
    cancel(row);
  }

  function restoreTyped(row) {
    if (!(row.dataset.id in discarded)) return;
    restoring[row.dataset.id] = true;
    if (row.classList.contains("editing")) onEditRow(row);
    else htmx.trigger(row, "open");
  }

  function offerRestore(row) {
    if (!(row.dataset.id in discarded) || row.classList.contains("editing") || row.querySelector(".restore-typed")) return;
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "restore-typed small";
    btn.dataset.action = "restore-typed";
    btn.textContent = t("Restore what you typed");
    btn.title = discarded[row.dataset.id];
    const cell = row.querySelector("td.tgt");
    if (cell) cell.appendChild(btn);
  }

  function save(row, go) {
    const form = row.querySelector("form.edit-form");
    form.querySelector("input[name=go]").value = go || "";
    form.querySelector("input[name=seconds]").value = ((performance.now() - openedAt) / 1000).toFixed(1);
    htmx.trigger(form, "submit");
  }

  function leave(row, step) {
    // Moving away keeps what was typed as a local draft; it is not saved silently.
    move(row, step, function (next) {
      const ta = row.querySelector("textarea[name=target]");
      if (ta && ta.value !== ta.defaultValue) writeDraft(row.dataset.id, ta.value, row.dataset.version);
      cancel(row);
      openRow(document.getElementById(next.id));
    });
  }

  function splitOffset(row) {
    const sel = window.getSelection();
    const src = row.querySelector("td.src");
    if (sel && sel.anchorNode && src.contains(sel.anchorNode) && sel.anchorNode.nodeType === 3) {
      // Glossary terms are <mark>s, so the text is several nodes: count from the cell's start.
      const before = document.createRange();
      before.setStart(src, 0);
      before.setEnd(sel.anchorNode, sel.anchorOffset);
      return before.toString().length;
    }
    const ta = row.querySelector("textarea[name=target]");
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
    const ta = row.querySelector("textarea[name=target]");
    if (!ta) return;
    openedAt = performance.now();
    startPresence(row);
    const draft = readDraft(row.dataset.id);
    if (restoring[row.dataset.id]) {
      delete restoring[row.dataset.id];
      ta.value = discarded[row.dataset.id];
      delete discarded[row.dataset.id];
      writeDraft(row.dataset.id, ta.value, row.dataset.version);
      const badge = row.querySelector(".draft-badge");
      if (badge) badge.hidden = false;
    } else if (draft && draft.text !== ta.value && !row.classList.contains("conflict")) {
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

  function goNext(kind) {
    const editor = document.getElementById("editor");
    const current = rowOf(document.activeElement) || rows()[0];
    const after = current ? Number(current.dataset.number) - 1 : -1;
    fetch(editor.dataset.nextUrl + "?kind=" + kind + "&after=" + after, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (seg) {
        if (!seg) {
          flashStatus(kind === "rejected" ? t("No rejected segment is left.") : t("No untranslated segment is left."));
          return;
        }
        const row = document.getElementById("seg-" + seg.id);
        if (row) { focusRow(row); if (editor.dataset.view !== "review") openRow(row); }
        else window.location.href = editor.dataset.listUrl + "?state=&goto=" + (seg.index + 1);
      });
  }

  // Shown in the shortcut footer, and spoken through the page's live region (the footer's
  // span is made on first use, too late to be a live region of its own).
  function flashStatus(text) {
    let el = document.getElementById("kbd-status");
    const keys = document.querySelector(".keys");
    if (!el && keys) { el = document.createElement("span"); el.id = "kbd-status"; keys.appendChild(el); }
    if (el) el.textContent = text;
    announce(text);
  }

  function verdict(row, state, go) {
    const form = row.querySelector("form.verdict");
    if (!form) return;
    const values = { state: state, view: "review", go: go || "" };
    if (state === "rejected") values.comment = form.querySelector("textarea[name=comment]").value;
    htmx.ajax("POST", row.dataset.stateUrl, { source: form, target: row, swap: "outerHTML", values: values });
  }

  document.addEventListener("keydown", function (ev) {
    const row = rowOf(ev.target);
    const ctrl = ev.ctrlKey || ev.metaKey;
    if (ev.altKey && !ctrl && (ev.key === "n" || ev.key === "N")) { ev.preventDefault(); goNext("untranslated"); return; }
    if (ev.altKey && !ctrl && (ev.key === "r" || ev.key === "R")) { ev.preventDefault(); goNext("rejected"); return; }
    if (row && row.classList.contains("review")) {
      const inComment = ev.target.matches("textarea[name=comment]");
      if (ctrl && ev.shiftKey && (ev.key === "x" || ev.key === "X")) {
        ev.preventDefault();
        const box = row.querySelector("details.reject");
        if (box) { box.open = true; box.querySelector("textarea").focus(); }
        return;
      }
      if (ctrl && ev.key === "Enter") {
        ev.preventDefault();
        verdict(row, inComment ? "rejected" : "approved", "next");
        return;
      }
      if (inComment) {
        if (ev.key === "Escape") { ev.preventDefault(); row.querySelector("details.reject").open = false; row.focus(); }
        return;
      }
      if (ev.target === row && ev.key === "Enter") { ev.preventDefault(); htmx.trigger(row, "open"); return; }
      if (ev.target === row && ev.key === "ArrowDown") { ev.preventDefault(); move(row, 1, focusRow); return; }
      if (ev.target === row && ev.key === "ArrowUp") { ev.preventDefault(); move(row, -1, focusRow); return; }
      return;
    }
    if (row && row.classList.contains("editing")) {
      if (ctrl && ev.key === "Enter") { ev.preventDefault(); save(row, "next"); }
      else if (ev.key === "Escape") { ev.preventDefault(); discard(row); }
      else if (ctrl && ev.key === "ArrowDown") { ev.preventDefault(); leave(row, 1); }
      else if (ctrl && ev.key === "ArrowUp") { ev.preventDefault(); leave(row, -1); }
      else if (ctrl && (ev.key === "i" || ev.key === "I")) {
        ev.preventDefault();
        const ta = row.querySelector("textarea[name=target]");
        ta.value = row.dataset.copy || "";
        ta.dispatchEvent(new Event("input"));
      }
      return;
    }
    if (row && ev.target === row) {
      if (ev.key === "Enter") { ev.preventDefault(); openRow(row); }
      else if (ev.key === "ArrowDown" || (ctrl && ev.key === "ArrowDown")) { ev.preventDefault(); move(row, 1, focusRow); }
      else if (ev.key === "ArrowUp" || (ctrl && ev.key === "ArrowUp")) { ev.preventDefault(); move(row, -1, focusRow); }
    }
  });

  // "Reject…" opened by mouse or keyboard puts the focus in its comment box.
  document.addEventListener("toggle", function (ev) {
    const box = ev.target;
    if (!box.matches || !box.matches("details.reject, details.add-comment") || !box.open) return;
    const ta = box.querySelector("textarea");
    const active = document.activeElement;
    if (ta && !(box.contains(active) && active.matches("textarea, input, button"))) ta.focus();
  }, true);

  // Caught before the row's own click (which opens it) so that the row opens only once.
  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest && ev.target.closest("button.restore-typed");
    if (!btn) return;
    ev.stopPropagation();
    restoreTyped(rowOf(btn));
  }, true);

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest("button[data-action]");
    if (!btn) return;
    const row = rowOf(btn);
    const action = btn.dataset.action;
    if (action === "cancel") discard(row);
    else if (action === "copy") {
      const ta = row.querySelector("textarea[name=target]");
      ta.value = row.dataset.copy || "";
      ta.dispatchEvent(new Event("input"));
      ta.focus();
    } else if (action === "take-theirs") {
      const ta = row.querySelector("textarea[name=target]");
      writeDraft(row.dataset.id, ta.value, row.dataset.version);
      ta.value = btn.dataset.text;
      ta.focus();
    } else if (action === "comment") {
      const box = btn.closest("details");
      const text = box.querySelector("textarea").value;
      htmx.ajax("POST", btn.dataset.url, { target: row, swap: "outerHTML", values: { text: text, view: row.dataset.view || "edit" } });
    } else if (action === "split") {
      const offset = splitOffset(row);
      if (offset === null) {
        alert(t("Click in the text where the segment should be split, then press Split."));
        return;
      }
      htmx.ajax("POST", btn.dataset.splitUrl, { values: { offset: offset }, target: row, swap: "outerHTML" });
    }
  });

  document.addEventListener("htmx:load", function (ev) {
    const el = ev.detail.elt;
    if (el.matches && el.matches("tr.seg.editing")) onEditRow(el);
    if (el.matches && el.matches("tr.seg.conflict")) announceConflict(el);
    if (el.matches && el.matches("tr.seg.just-saved")) {
      clearDraft(el.dataset.id);
      delete discarded[el.dataset.id];
      delete spokenUnsaved[el.dataset.id];
      announceSaved(el);
      document.body.dispatchEvent(new CustomEvent("segment-saved"));
    }
    if (el.id === "segment-list" || (el.matches && el.matches("tr.seg"))) markDrafts();
    if (el.matches && el.matches("tr.seg")) {
      offerRestore(el);
      // A row that replaced the one holding the focus (Esc, Cancel, a verdict, a comment)
      // takes the focus over, unless something else has taken it meanwhile.
      if (el.id === refocusId) {
        refocusId = null;
        const active = document.activeElement;
        if (!active || active === document.body) {
          if (el.classList.contains("editing")) { const ta = el.querySelector("textarea[name=target]"); if (ta) ta.focus(); }
          else focusRow(el);
        }
      }
    }
    if (el.id === "segment-list" || el.id === "seg-more" || (el.matches && el.matches("tr.seg"))) {
      rows().forEach(offerRestore);
      ensureTabStop();
    }
  });

  let refocusId = null;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    const target = ev.detail.target;
    if (target && target.matches && target.matches("tr.seg") && target.contains(document.activeElement)) {
      refocusId = target.id;
    }
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
    ensureTabStop();
    if (target) openRow(target);
    else if (rows()[0]) { makeCurrent(rows()[0]); rows()[0].focus({ preventScroll: true }); }
  });

  function onOpenSegment(ev) {
    const row = document.getElementById("seg-" + ev.detail.id);
    if (row && row.classList.contains("review")) focusRow(row);
    else if (row) openRow(row);
    else if (document.getElementById("seg-more")) {
      loadMore().then(function (loaded) { if (loaded) onOpenSegment(ev); });
    } else {
      const link = document.querySelector(".pager a[rel=next]");
      if (link) window.location.href = link.href + "&open=first";
    }
  }

  // A list refreshed in place (after a job, a split) keeps as many rows as were loaded.
  document.addEventListener("htmx:configRequest", function (ev) {
    if (ev.detail.elt.id === "segment-list" && ev.detail.verb === "get") {
      ev.detail.parameters.rows = Math.max(rows().length, 1);
    }
  });

  // Saves are kept as "pending" in the browser until the server has answered them, so a
  // network failure, a restart or a 5xx loses nothing: they are retried, also after a reload.
  function pendingKey(id) { return PENDING_PREFIX + id; }

  function readPending() {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.indexOf(PENDING_PREFIX) === 0) {
        try { out.push(JSON.parse(localStorage.getItem(key))); } catch (e) { /* ignore */ }
      }
    }
    return out;
  }

  // What a row's badge says about an unsent save is spoken when it changes, not per retry.
  const spokenUnsaved = {};

  function showUnsaved(id, text) {
    const row = document.getElementById("seg-" + id);
    const badge = row && row.querySelector(".draft-badge");
    if (badge) { badge.hidden = false; badge.textContent = text; }
    if (row && spokenUnsaved[id] !== text) {
      spokenUnsaved[id] = text;
      announce(t("Segment %(number)s: %(status)s", { number: numberOf(row), status: text }));
    }
  }

  // After a failed send, retry after 1, 2, 4, 4, 4 … s: a save goes out within a few
  // seconds of the server coming back, and at once when the browser comes back online.
  const RETRY_STEPS = [1000, 2000, 4000];
  let retryStep = 0;
  let retryTimer = null;
  const inFlight = {};

  function retryDelay(step) { return RETRY_STEPS[Math.min(step, RETRY_STEPS.length - 1)]; }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      retryPending();
    }, retryDelay(retryStep));
    retryStep += 1;
  }

  function retryNow() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    retryStep = 0;
    retryPending();
  }

  // Put the server's row in place of ours as htmx would, so that its handlers run on it
  // (a saved row clears its draft and refreshes the progress); the focus stays on it.
  function swapRow(row, html) {
    const hadFocus = row.contains(document.activeElement);
    const id = row.id;
    htmx.swap(row, html, { swapStyle: "outerHTML" });
    const fresh = document.getElementById(id);
    if (hadFocus && fresh) focusRow(fresh);
  }

  function sameText(a, b) {
    const norm = function (t) { return (t || "").replace(/\r\n?/g, "\n").trim(); };
    return norm(a) === norm(b);
  }

  // The server's answer to a save that was sent again: the row shows the server's state and
  // version. A 409 whose "saved meanwhile" text is ours means the first try did arrive
  // (only its answer was lost): that is a save, not a conflict.
  function settleRow(p, status, html) {
    const row = document.getElementById("seg-" + p.id);
    if (!row) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const theirs = tpl.content.querySelector("button[data-action=take-theirs]");
    if (status === 409 && theirs && sameText(theirs.dataset.text, p.values.target)) {
      fetch("/segments/" + p.id, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
        .then(function (shown) {
          const now = document.getElementById("seg-" + p.id);
          if (now) swapRow(now, shown);
          clearDraft(p.id);
          delete spokenUnsaved[p.id];
          const fresh = document.getElementById("seg-" + p.id);
          if (fresh) announceSaved(fresh);
        })
        .catch(function () { showUnsaved(p.id, t("saved")); });
      return;
    }
    const ta = row.querySelector("textarea[name=target]");
    const typedOn = row.classList.contains("editing") && ta && !sameText(ta.value, p.values.target);
    const fresh = tpl.content.querySelector("tr.seg");
    if (typedOn && status === 200 && fresh) {
      // Still typing here: keep the text, take the version and state the server now has.
      row.dataset.version = fresh.dataset.version;
      const version = row.querySelector("input[name=version]");
      if (version) version.value = fresh.dataset.version;
      const cell = row.querySelector("td.st");
      const freshCell = fresh.querySelector("td.st");
      if (cell && freshCell) { cell.replaceWith(freshCell); htmx.process(freshCell); }
      showUnsaved(p.id, t("unsaved (your text since)"));
      writeDraft(p.id, ta.value, fresh.dataset.version);
      return;
    }
    swapRow(row, html);
  }

  function retryPending() {
    readPending().forEach(function (p) {
      // The online event and the timer may both fire: one send at a time per segment.
      if (inFlight[p.id]) return;
      inFlight[p.id] = true;
      const headers = Object.assign({ "HX-Request": "true" }, csrfHeaders());
      fetch(p.url, { method: "POST", headers: headers, body: new URLSearchParams(p.values), credentials: "same-origin" })
        .then(function (resp) {
          if (resp.status >= 500) { const failed = new Error("server error " + resp.status); failed.status = resp.status; throw failed; }
          return resp.text().then(function (html) {
            localStorage.removeItem(pendingKey(p.id));
            if (resp.ok) clearDraft(p.id);
            retryStep = 0;
            settleRow(p, resp.status, html);
          });
        })
        .catch(function (err) {
          showUnsaved(p.id, !navigator.onLine ? t("unsaved: retrying (offline)")
            : err.status ? t("unsaved: retrying (server error %(status)s)", { status: String(err.status) })
            : t("unsaved: retrying (server unreachable)"));
          scheduleRetry();
        })
        .finally(function () { delete inFlight[p.id]; });
    });
  }

  // A chunk of rows that failed to load says so and is asked for again, on the same
  // backoff and as soon as the browser is back online, instead of "loading" for ever.
  let moreStep = 0;
  let moreTimer = null;

  function retryMore() {
    moreTimer = null;
    const more = document.getElementById("seg-more");
    if (more && !more.classList.contains("htmx-request")) htmx.trigger(more, "load-more");
  }

  function moreFailed(ev) {
    const more = ev.detail.elt;
    if (!more || more.id !== "seg-more") return;
    const label = more.querySelector(".more-label");
    if (label) {
      label.textContent = t("Segments %(first)s–… not loaded yet (server unreachable); retrying",
                            { first: Number(label.dataset.first) });
    }
    if (!moreTimer) moreTimer = setTimeout(retryMore, retryDelay(moreStep++));
  }

  document.addEventListener("htmx:sendError", moreFailed);
  document.addEventListener("htmx:responseError", moreFailed);
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.elt && ev.detail.elt.id === "seg-more") moreStep = 0;
  });
  window.addEventListener("online", function () {
    if (moreTimer) { clearTimeout(moreTimer); moreTimer = null; }
    moreStep = 0;
    retryMore();
  });

  document.addEventListener("htmx:beforeRequest", function (ev) {
    const form = ev.detail.elt;
    if (!form.matches || !form.matches("form.edit-form")) return;
    const row = rowOf(form);
    const values = {};
    new FormData(form).forEach(function (v, k) { if (k !== "comment_text") values[k] = v; });
    announce(t("Saving segment %(number)s…", { number: numberOf(row) }));
    localStorage.setItem(pendingKey(row.dataset.id), JSON.stringify({
      id: row.dataset.id, url: ev.detail.requestConfig.path, values: values, at: Date.now(),
    }));
  });

  // The server answered (saved, conflict or refusal): nothing is pending any more. This
  // fires on the swap target, which is still in the page, unlike the form that sent it.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    const cfg = ev.detail.requestConfig;
    const form = cfg && cfg.elt;
    if (!form || !form.matches || !form.matches("form.edit-form")) return;
    const row = rowOf(form);
    if (row && ev.detail.xhr.status < 500) localStorage.removeItem(pendingKey(row.dataset.id));
  });

  document.addEventListener("htmx:afterRequest", function (ev) {
    const form = ev.detail.elt;
    if (!form.matches || !form.matches("form.edit-form") || !document.body.contains(form)) return;
    const row = rowOf(form);
    const xhr = ev.detail.xhr;
    const id = row ? row.dataset.id : null;
    const status = xhr ? xhr.status : 0;
    if (!id) return;
    if (status && status < 500) {
      localStorage.removeItem(pendingKey(id));
    } else {
      writeDraft(id, form.querySelector("textarea[name=target]").value, form.querySelector("input[name=version]").value);
      showUnsaved(id, status ? t("unsaved: server error %(status)s", { status: String(status) })
        : (navigator.onLine ? t("unsaved: server unreachable, retrying") : t("unsaved: offline, retrying")));
      scheduleRetry();
    }
  });

  function storedKeys(prefix) {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) keys.push(key);
    }
    return keys;
  }

  // Keys from before drafts were scoped name no person: they are never replayed.
  function dropUnscoped() {
    storedKeys("workbench:draft:").concat(storedKeys("workbench:pending:")).forEach(function (key) {
      localStorage.removeItem(key);
    });
  }

  // Logging out ends this person's drafts on this browser; unsent saves are named first.
  document.addEventListener("submit", function (ev) {
    if (!ev.target.matches || !ev.target.matches("form.whoami")) return;
    const unsent = readPending().length;
    if (unsent && !window.confirm(nt("%(n)s change has not reached the server yet and will be lost. Log out anyway?",
                                     "%(n)s changes have not reached the server yet and will be lost. Log out anyway?", unsent))) {
      ev.preventDefault();
      return;
    }
    storedKeys(SCOPE).forEach(function (key) { localStorage.removeItem(key); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    // The live regions must be in the page before anything is said through them.
    if (document.getElementById("segment-list")) { liveRegion(false); liveRegion(true); }
    dropUnscoped();
    const pending = readPending();
    pending.forEach(function (p) { showUnsaved(p.id, t("unsaved: retrying")); });
    if (pending.length) retryPending();
  });
  window.addEventListener("online", retryNow);

  // A QA warning dismissed, reopened or its word added: how many stay open is spoken.
  document.addEventListener("htmx:afterRequest", function (ev) {
    const path = (ev.detail.requestConfig && ev.detail.requestConfig.path) || "";
    const m = /\/segments\/(\d+)\/qa\/(dismiss|reopen|words)$/.exec(path);
    if (!m || !ev.detail.successful) return;
    setTimeout(function () {
      const row = document.getElementById("seg-" + m[1]);
      if (!row) return;
      const open = row.querySelectorAll(".seg-glossary ul.qa > li").length;
      announce(open ? nt("Segment %(number)s: %(n)s QA warning open.", "Segment %(number)s: %(n)s QA warnings open.", open, { number: numberOf(row) })
        : t("Segment %(number)s: no QA warning open.", { number: numberOf(row) }));
    }, 60);
  });

  // `?` outside a text field lists every shortcut; Esc closes the list, and the focus goes
  // back to where it was.
  let beforeShortcuts = null;

  function typing(el) {
    return el && el.matches && (el.matches("input, textarea, select, [contenteditable], [contenteditable] *"));
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "?" || ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    const dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) return;
    ev.preventDefault();
    beforeShortcuts = document.activeElement;
    dialog.showModal();
    // showModal focuses the first control, the Close button at the very end, and scrolls
    // the list to it: start at the title instead (Esc and Enter on Close still close).
    const title = document.getElementById("shortcuts-title");
    if (title) title.focus();
    dialog.scrollTop = 0;
  });

  document.addEventListener("close", function (ev) {
    if (ev.target.id !== "shortcuts") return;
    const back = beforeShortcuts;
    beforeShortcuts = null;
    if (back && back !== document.body && back.isConnected) back.focus({ preventScroll: true });
  }, true);

  window.workbench = { readDraft: readDraft, rows: rows, readPending: readPending, retryPending: retryPending };
})();
