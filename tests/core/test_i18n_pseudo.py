"""Every page and fragment in the pseudo-locale: any interface text outside ⟦…⟧ skipped the
catalogue. The data is Cyrillic and names are translate="no", so only our own English shows."""

from __future__ import annotations

import io

import pytest
from api_steps import save, segments
from conftest import login, make_user
from i18n_check import ARTICLE, leftovers, untranslated

HX = {"HX-Request": "true"}
# The "English" original of ARTICLE for the alignment, Cyrillic too (docs).
ORIGINAL = ("Ким Чен Ын встретил Путина во Владивостоке. Это было в апреле.\n\n"
            "Совет Безопасности ООН обсуждал санкции.\n\n"
            "Интерфакс сообщил об этом.\n")
# Served as files or data, not as interface: no text of ours to check.
NOT_PAGES = {"static", "vendor", "favicon", "i18n_catalogue", "documents.export_txt",
             "scores.report_csv", "scores.report_download", "glossary.export"}


@pytest.fixture
def pseudo(app, client_as):
    """An admin's client on a pseudo-locale app with a Cyrillic document, edited and reviewed."""
    app.config["I18N_PSEUDO"] = True
    admin = client_as("admin", "axel")
    up = admin.post("/documents", data={
        "file": (io.BytesIO(ARTICLE.encode()), "статья.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    doc = int(up.headers["Location"].rstrip("/").split("/")[-1])
    segs = segments(admin, doc)
    save(admin, segs[0], "Ким Чен Ын встретился с Путиным  во Владивостоке")
    admin.post(f"/api/segments/{segs[1]['id']}/state", json={"state": "rejected",
                                                           "comment": "Проверьте число."})
    admin.post("/api/glossary", json={"terms": {"en": ["ООН"], "de": ["ООН"]},
                                      "note": "Совет Безопасности"})
    entry = admin.get("/api/glossary").get_json()
    entries = entry if isinstance(entry, list) else entry.get("entries", entry.get("items", []))
    make_user(app, "tina", "translator")
    return {"client": admin, "doc": doc, "segs": [s["id"] for s in segments(admin, doc)],
            "entry": entries[0]["id"] if entries else 1}


def visits(d: dict) -> list[tuple[str, str, str, dict | None, dict | None]]:
    """Return (endpoint, method, url, form, headers) for every page and fragment."""
    doc, seg, seg2 = d["doc"], d["segs"][0], d["segs"][1]
    return [
        ("documents.index", "GET", "/", None, None),
        ("documents.document_list", "GET", "/documents", None, None),
        ("documents.document", "GET", f"/documents/{doc}", None, None),
        ("documents.document", "GET", f"/documents/{doc}?q=Путин", None, None),
        ("documents.document", "GET", f"/documents/{doc}?q=/(", None, None),
        ("documents.document", "GET", f"/documents/{doc}?state=rejected", None, HX),
        ("documents.alignment_page", "GET", f"/documents/{doc}/alignment", None, None),
        ("documents.export_check_page", "GET", f"/documents/{doc}/export/check", None, None),
        ("documents.document_progress", "GET", f"/documents/{doc}/progress", None, HX),
        ("documents.document_row", "GET", f"/documents/{doc}/row", None, HX),
        ("documents.read", "GET", f"/documents/{doc}/read", None, None),
        # --- documents (docs): the dashboard row's forms, refusals and notices, the alignment
        # with a proposal and its refusals, a document deleted for good. Doc 1 ends as it began
        # (unarchived); the second upload is the one deleted.
        ("documents.document_row", "GET", f"/documents/{doc}/row?mode=edit", None, HX),
        ("documents.plan_document", "POST", f"/documents/{doc}/plan",
         {"due_date": "31.12.2026"}, HX),
        ("documents.plan_document", "POST", f"/documents/{doc}/plan",
         {"translator": "tina", "editor": "axel", "due_date": "2001-01-01"}, HX),
        ("documents.index", "GET", "/", None, None),
        ("documents.delete_document", "POST", f"/documents/{doc}/delete", {"x": "1"}, HX),
        ("documents.archive_document", "POST", f"/documents/{doc}/archive", {"x": "1"}, HX),
        ("documents.index", "GET", f"/?archived=1&undo={doc}", None, None),
        ("documents.document_row", "GET", f"/documents/{doc}/row?mode=confirm&archived=1",
         None, HX),
        ("documents.unarchive_document", "POST", f"/documents/{doc}/unarchive", {"x": "1"}, HX),
        # (set-up through the API, which answers JSON: nothing to check, no redirect page)
        ("documents.upload_original", "POST", f"/api/documents/{doc}/original",
         {"file": (io.BytesIO(ORIGINAL.encode()), "оригинал.txt")}, None),
        ("documents.alignment_page", "GET", f"/documents/{doc}/alignment", None, None),
        ("documents.edit_alignment", "POST", f"/documents/{doc}/alignment/join",
         {"row": "0", "version": "999"}, HX),
        ("documents.edit_alignment", "POST", f"/documents/{doc}/alignment/split",
         {"row": "0", "version": "1"}, HX),
        ("documents.upload_original", "POST", f"/documents/{doc}/original",
         {"file": (io.BytesIO(b"\x00\x01binary"), "плохой.txt")}, None),
        ("documents.upload_document", "POST", "/api/documents",
         {"file": (io.BytesIO(ARTICLE.encode()), "второй.txt"), "source_lang": "en",
          "target_lang": "de", "mode": "translate"}, None),
        ("documents.archive_document", "POST", f"/documents/{doc + 1}/archive", {"x": "1"}, HX),
        ("documents.delete_document", "POST", f"/documents/{doc + 1}/delete", {"x": "1"}, HX),
        # --- end documents (docs)
        ("scores.report", "GET", f"/documents/{doc}/report", None, None),
        ("review.review_page", "GET", f"/documents/{doc}/review", None, None),
        ("segments.segment_row", "GET", f"/segments/{seg}", None, HX),
        ("segments.segment_edit", "GET", f"/segments/{seg}/edit", None, HX),
        ("segments.segment_edit", "GET", f"/segments/{seg2}/edit", None, HX),
        ("segments.segment_history", "GET", f"/segments/{seg}/history", None, HX),
        ("scores.segment_scores", "GET", f"/segments/{seg}/scores", None, HX),
        ("glossary.glossary_page", "GET", "/glossary", None, None),
        ("glossary.entry_row", "GET", f"/glossary/{d['entry']}", None, HX),
        ("glossary.entry_edit", "GET", f"/glossary/{d['entry']}/edit", None, HX),
        ("glossary.dictionary_lookup", "GET", "/dictionary?word=Waffe", None, HX),
        ("tm.tm_page", "GET", "/tm", None, None),
        ("tm.concordance_page", "GET", "/tm/concordance?q=Путин", None, None),
        ("tm.tm_pairs", "GET", "/tm/pairs", None, HX),
        ("mt.models_page", "GET", "/models", None, None),
        ("auth.user_list", "GET", "/admin/users", None, None),
        ("auth.account", "GET", "/account", None, None),
        ("jobs.job_progress", "GET", "/jobs/999999", None, HX),
        ("not found", "GET", "/documents/999999", None, None),
        ("not found", "GET", "/documents/999999", None, HX),
        # Fragments answered to actions: a save with a QA warning, a conflict, a refusal.
        ("segments.segment_save", "POST", f"/segments/{seg}",
         {"target": "Ким  Ким", "version": "2"}, HX),
        ("segments.segment_save", "POST", f"/segments/{seg}",
         {"target": "Другой текст", "version": "1"}, HX),
        ("segments.segment_save", "POST", f"/segments/{seg}", {"version": "1"}, HX),
        ("segments.segment_split", "POST", f"/segments/{seg}/split", {"offset": "x"}, HX),
        ("review.segment_comment", "POST", f"/segments/{seg}/comments", {"text": ""}, HX),
        ("segments.replace_preview", "POST", f"/documents/{doc}/replace/preview",
         {"q": "Ким", "replacement": "Кім"}, HX),
        ("documents.upload_document", "POST", "/documents",
         {"file": (io.BytesIO(b"\xff\xfe\x00\xd8 broken"), "плохой.txt"),
          "source_lang": "en", "target_lang": "de", "mode": "review"}, None),
        ("glossary.add_entry", "POST", "/glossary", {"note": "пусто"}, HX),
        ("glossary.import_preview", "POST", "/glossary/import",
         {"file": (io.BytesIO(b"en,de\n\"unclosed,x\n"), "термины.csv")}, HX),
        # --- core (accounts, error pages, MT models, jobs): its answers and refusals ---
        ("auth.logout", "GET", "/logout", None, None),  # 405: our text, not werkzeug's
        ("auth.account_language", "POST", "/account/language", {"locale": "xx"}, None),
        ("auth.token_create", "POST", "/account/tokens", {"label": "ночной"}, None),
        ("auth.account", "GET", "/account", None, None),  # with a token and its message
        ("auth.user_update", "POST", "/admin/users/999999", {"action": "reset"}, None),
        ("mt.models_install", "POST", "/models", {"note": "без файла"}, None),
        ("mt.models_install", "POST", "/models",
         {"file": (io.BytesIO(b"not a zip"), "модель.argosmodel")}, None),
        ("mt.models_install_index", "POST", "/models/index",
         {"from_code": "de", "to_code": "de"}, None),
        ("jobs.job_retry", "POST", "/jobs/999999/retry", None, HX),
        ("mt.pretranslate", "POST", f"/documents/{doc}/pretranslate", None, HX),  # no model
        # --- segments (segs): the hit count's variants, a replace whose segment changed
        # since its preview, a refused replace, a restore based on a stale version. ---
        ("documents.document", "GET", f"/documents/{doc}?q=Путин&in=source", None, HX),
        ("documents.document", "GET", f"/documents/{doc}?q=щщщ&in=target", None, HX),
        ("segments.replace_apply", "POST", f"/documents/{doc}/replace",
         {"q": "Ким", "replace": "Кім", "seg": f"{seg}:1"}, HX),
        ("segments.replace_apply", "POST", f"/documents/{doc}/replace",
         {"q": "Ким", "replace": "Кім"}, HX),
        ("segments.segment_restore", "POST", f"/segments/{seg}/restore/1", {"base": "1"}, HX),
        # Glossary and memory (gloss): a dictionary answer, an entry added from it, an import
        # preview that adds, changes and removes, a refused edit, and the memory's fragments.
        ("glossary.dictionary_lookup", "GET", f"/dictionary?q=Waffen&doc={doc}", None, HX),
        ("glossary.dictionary_lookup", "GET", "/dictionary?q=Ыыы", None, HX),
        ("glossary.dictionary_term", "POST", "/dictionary/term",
         {"terms_de": "Ракета", "terms_en": "ракета", "note": "оружие", "doc": str(doc)}, HX),
        ("glossary.dictionary_term", "POST", "/dictionary/term", {"terms_en": "ракета"}, HX),
        ("glossary.import_preview", "POST", "/glossary/import",
         {"file": (io.BytesIO("de,en,note,forbidden,dnt,case_sensitive\n"
                              "Kreml,Kremlin,новая,en:Кремль,yes,no\n"
                              "Москва,Москва,,,,\n".encode()), "термины.csv"),
          "mode": "replace"}, HX),
        ("glossary.import_preview", "POST", "/glossary/import",
         {"file": (io.BytesIO(b"de,en\nKreml,Kremlin\n"), "термины.csv")}, HX),
        ("glossary.entry_save", "POST", f"/glossary/{d['entry']}",
         {"terms_de": "ООН", "case_sensitive": "vielleicht"}, HX),
        ("tm.tm_import", "POST", "/tm/import",
         {"file": (io.BytesIO(b"<xliff/>"), "память.tmx")}, None),
        ("tm.concordance_page", "GET", f"/tm/concordance?q=Путин&doc={doc}&side=target", None, HX),
        # --- QA, review, scores (qa): the panel's refusals, a refused state, a bad reference.
        ("qa.dismiss_warning", "POST", f"/segments/{seg}/qa/dismiss",
         {"code": "double_space", "key": ""}, HX),
        ("qa.dismiss_warning", "POST", f"/segments/{seg}/qa/dismiss",
         {"code": "no_such_check", "key": ""}, HX),
        ("qa.reopen_warning", "POST", f"/segments/{seg}/qa/reopen", {"dismissal": "999"}, HX),
        ("qa.add_word", "POST", f"/segments/{seg}/qa/words", {"word": "два слова"}, HX),
        ("review.segment_state", "POST", f"/segments/{seg2}/state", {"state": "rejected"}, HX),
        ("scores.upload_reference", "POST", f"/documents/{doc}/reference",
         {"file": (io.BytesIO("Одна строка.\n".encode()), "эталон.txt")}, None),
        ("scores.report", "GET", f"/documents/{doc}/report?sort=hter&order=asc", None, HX),
    ]


def test_every_page_and_fragment_goes_through_the_catalogue(app, pseudo):
    """Render each page and fragment in the pseudo-locale; no interface text outside ⟦…⟧."""
    client = pseudo["client"]
    problems: dict[str, list[str]] = {}
    for endpoint, method, url, form, headers in visits(pseudo):
        resp = client.open(url, method=method, data=form, headers=headers or {},
                           content_type="multipart/form-data" if form else None)
        if "text/html" not in resp.content_type or resp.status_code in (301, 302, 303):
            # (A redirect's body is werkzeug's, which no browser shows.)
            continue
        found = untranslated(resp.get_data(as_text=True), titles=("статья.de.txt",))
        if found:
            problems[f"{method} {url} ({endpoint}, {resp.status_code})"] = found
    assert not problems, "Interface text that skipped the catalogue:\n" + "\n".join(
        f"{where}:\n    " + "\n    ".join(found) for where, found in problems.items())


def test_every_page_is_visited(app, pseudo):
    """A new page must join the list above: every GET page of the app is among the visits."""
    visited = {endpoint for endpoint, *_ in visits(pseudo)}
    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith("/api/")}
    missing = pages - visited - NOT_PAGES - {"auth.login"}
    assert not missing, f"add these pages to visits(): {sorted(missing)}"


def test_the_login_page_and_a_failed_login(app, anon_client):
    """The login page, and its error after a wrong password, go through the catalogue."""
    app.config["I18N_PSEUDO"] = True
    make_user(app, "ann", "translator")
    page = anon_client.get("/login").get_data(as_text=True)
    assert untranslated(page) == []
    failed = login(anon_client, "ann", "wrong password!").get_data(as_text=True)
    assert untranslated(failed) == []


def test_the_check_finds_english_that_skipped_the_catalogue():
    """The check is real: plain English, an English tooltip or a half-wrapped text fails it."""
    assert untranslated("<p>⟦Śàṽé⟧ Saved</p>") != []
    assert untranslated('<button title="Save">⟦x⟧</button>') != []
    assert untranslated("<p>⟦Śàṽé ⟦ñéŵ⟧ ·⟧ 3 %</p>") == []
    assert untranslated('<p>⟦x⟧ <span translate="no">axel</span> Ким</p>') == []
    assert untranslated("<p>⟦x⟧<script>var a = 'English';</script></p>") == []
    assert leftovers("⟦a⟧ b") == ["b"]
    assert untranslated("<title>Doc · Workbench</title>", titles=("Doc",)) != []
    assert untranslated("<title>Doc · ⟦x⟧</title>", titles=("Doc",)) == []
