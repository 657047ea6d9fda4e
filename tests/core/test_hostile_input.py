"""Hostile and broken input across every upload and API field: refused clearly, or stored as
inert text; never a 500, never partial data, never a file outside instance/."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import (
    Comment,
    Document,
    GlossaryEntry,
    GlossaryImport,
    MemoryUnit,
    ReferenceText,
    Revision,
    Segment,
    User,
)
from webapp.documents import importing

HX = {"HX-Request": "true"}
MB10 = 10 * 1024 * 1024
# Under the 1 MB body limit: the app itself must refuse it, with its own message.
KB500 = 500 * 1000
SCRIPT = "<script>alert(1)</script>"
TEXT = "Der Rat tagte am Montag.\n\nMoskau schwieg.\n"

XLIFF_MALFORMED = (b'<?xml version="1.0"?>\n<xliff version="1.2"><file source-language="de" '
                   b'target-language="en" datatype="plaintext" original="x"><body><trans-unit')
XLIFF_XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
             b'<xliff version="1.2"><file source-language="de" target-language="en" '
             b'datatype="plaintext" original="x"><body><trans-unit id="1"><source>&x;</source>'
             b"</trans-unit></body></file></xliff>")
BOMB_DTD = (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;'
            b'&c;">]>\n')
XLIFF_BOMB = (b'<?xml version="1.0"?>\n' + BOMB_DTD.replace(b"DOCTYPE r", b"DOCTYPE xliff")
              + b'<xliff version="1.2"><file source-language="de" target-language="en" '
              b'datatype="plaintext" original="x"><body><trans-unit id="1"><source>&d;</source>'
              b"</trans-unit></body></file></xliff>")
TBX_BOMB = (b'<?xml version="1.0"?>\n' + BOMB_DTD.replace(b"DOCTYPE r", b"DOCTYPE martif")
            + b'<martif><text><body><termEntry><langSet xml:lang="de"><tig><term>&d;</term>'
            b"</tig></langSet></termEntry></body></text></martif>")
TBX_MALFORMED = b'<?xml version="1.0"?>\n<martif><text><body><termEntry><langSet'
TMX_XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           b'<tmx version="1.4"><header srclang="de" segtype="sentence" datatype="plaintext" '
           b'adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu>'
           b'<tuv xml:lang="de"><seg>&x;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv>'
           b"</tu></body></tmx>")
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4

COUNTED = {
    "documents": Document, "segments": Segment, "revisions": Revision, "comments": Comment,
    "glossary": GlossaryEntry, "glossary_imports": GlossaryImport, "users": User,
    "memory": MemoryUnit, "references": ReferenceText,
}


def counts(app) -> dict[str, int]:
    """Return how many rows each stored kind of data has."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return {name: db.scalar(select(func.count()).select_from(model))
                for name, model in COUNTED.items()}


def files_outside_instance(root: Path) -> set[Path]:
    """Return the files under a test's folder that are not the app's (instance/, the database)."""
    return {p for p in root.rglob("*") if p.is_file() and "instance" not in p.parts
            and not p.name.startswith("test.sqlite")}


def upload(name: str, data: bytes, **form) -> dict:
    """Return multipart request arguments for one file."""
    return {"data": {"file": (io.BytesIO(data), name), **form},
            "content_type": "multipart/form-data"}


def doc_upload(name: str, data: bytes) -> dict:
    """Return the request arguments of a document import."""
    return upload(name, data, source_lang="de", target_lang="en", mode="translate")


@dataclass
class Case:
    """One hostile request: what is sent, what must come back, and what may change."""

    id: str
    method: str
    url: str  # formatted with the seeded {doc} and {seg}
    kwargs: Callable[[dict], dict]
    status: int
    message: str
    # Rows a case that is accepted adds; everything else must stay as it was.
    adds: dict[str, int] = field(default_factory=dict)
    # A page (formatted like url) that shows what was stored: it must show it escaped.
    shown_on: str | None = None
    # The name the document is stored under, for the file-name cases.
    stored_name: str | None = None
    headers: dict = field(default_factory=dict)


CASES = [
    # Document imports, API and page.
    Case("doc empty file", "post", "/api/documents", lambda c: doc_upload("e.txt", b""),
         422, "The file is empty."),
    Case("doc binary data", "post", "/api/documents", lambda c: doc_upload("x.txt", BINARY),
         422, "The file looks binary (NUL bytes at byte 8), not text."),
    Case("doc UTF-16 without BOM", "post", "/api/documents",
         lambda c: doc_upload("u.txt", TEXT.encode("utf-16-le")), 422, "looks binary (NUL bytes"),
    Case("doc undecodable bytes", "post", "/api/documents",
         lambda c: doc_upload("w.txt", b"Stra\x81e \x8d\x90."), 422,
         "not UTF-8, UTF-16 with BOM, or Latin-1/cp1252 text: undecodable byte 0x81"),
    Case("doc UTF-8 BOM, invalid UTF-8", "post", "/api/documents",
         lambda c: doc_upload("b.txt", b"\xef\xbb\xbfStra\xdfe."), 422,
         "byte-order mark but is not valid UTF-8"),
    Case("doc UTF-32", "post", "/api/documents",
         lambda c: doc_upload("32.txt", TEXT.encode("utf-32")), 422, "UTF-32 text"),
    Case("doc over the size limit", "post", "/api/documents",
         lambda c: doc_upload("big.txt", b"Satz. " * (c["limit"] // 6 + 1)), 413,
         "; the limit is 65,536 bytes."),
    Case("doc no file field", "post", "/api/documents", lambda c: {"data": {}}, 400,
         "multipart field 'file'"),
    Case("doc malformed XLIFF", "post", "/api/documents",
         lambda c: doc_upload("bad.xlf", XLIFF_MALFORMED), 422, "cannot be imported"),
    Case("doc XLIFF with XXE", "post", "/api/documents",
         lambda c: doc_upload("xxe.xlf", XLIFF_XXE), 422, "entity declarations are refused"),
    Case("doc XLIFF entity bomb", "post", "/api/documents",
         lambda c: doc_upload("bomb.xlf", XLIFF_BOMB), 422, "entity declarations are refused"),
    Case("doc language code that is not one", "post", "/api/documents",
         lambda c: upload("f.txt", b"Bonjour.", source_lang="f r", target_lang="en"), 422,
         "is not a language code"),
    Case("original over the segment limit", "post", "/documents/{review_fr}/original",
         lambda c: upload("o.txt", b"Un " * 7_000 + b"."), 400,
         "holds at most 20,000"),
    Case("page doc empty file", "post", "/documents", lambda c: doc_upload("e.txt", b""),
         400, "The file is empty."),
    Case("page doc binary data", "post", "/documents", lambda c: doc_upload("x.txt", BINARY),
         400, "The file looks binary"),
    Case("doc name ../../etc/passwd", "post", "/api/documents",
         lambda c: doc_upload("../../etc/passwd", TEXT.encode()), 201, "",
         adds={"documents": 1, "segments": 2}, stored_name="passwd"),
    Case("doc name C:\\x\\..\\y.txt", "post", "/api/documents",
         lambda c: doc_upload("C:\\x\\..\\y.txt", TEXT.encode()), 201, "",
         # Werkzeug reads the quoted filename's backslashes as escapes, so the app gets
         # "C:x..y.txt"; test_a_windows_path_keeps_only_its_last_part covers the raw name.
         adds={"documents": 1, "segments": 2}, stored_name="C:x..y.txt"),
    Case("doc name with NUL", "post", "/api/documents",
         lambda c: doc_upload("a\x00b.txt", TEXT.encode()), 201, "",
         adds={"documents": 1, "segments": 2}, stored_name="ab.txt"),
    Case("doc name with newline", "post", "/api/documents",
         # The multipart parser drops a part whose header a newline breaks.
         lambda c: doc_upload("evil\n.txt", TEXT.encode()), 400, "multipart field 'file'"),
    Case("doc script in segment text", "post", "/api/documents",
         lambda c: doc_upload("s.txt", f"{SCRIPT} Hallo.\n".encode()), 201, "",
         adds={"documents": 1, "segments": 1}, shown_on="/documents/{new}"),
    Case("original binary data", "post", "/documents/{review_fr}/original",
         lambda c: upload("o.txt", BINARY), 400, "The file looks binary"),
    Case("reference binary data", "post", "/documents/{doc}/reference",
         lambda c: upload("r.txt", BINARY), 400, "The file looks binary"),
    Case("reference malformed XLIFF", "post", "/documents/{doc}/reference",
         lambda c: upload("r.xlf", XLIFF_MALFORMED), 400, "not well-formed XML"),
    # Segment saves.
    Case("save 500 KB JSON string", "put", "/api/segments/{seg}",
         lambda c: {"json": {"target": "x" * KB500, "version": c["version"]}}, 422,
         "a segment holds at most 20,000"),
    Case("save 10 MB JSON body", "put", "/api/segments/{seg}",
         lambda c: {"json": {"target": "x" * MB10, "version": c["version"]}}, 413,
         "The request is larger than this server accepts"),
    Case("save JSON nested 100,000 deep", "put", "/api/segments/{seg}",
         lambda c: {"data": "[" * 100_000 + "]" * 100_000,
                    "content_type": "application/json"}, 400,
         "must be a JSON object"),
    Case("anonymous 10 MB login", "post", "/api/login",
         lambda c: {"json": {"username": "x" * MB10, "password": "y"}}, 413,
         "The request is larger than this server accepts"),
    Case("save target not a string", "put", "/api/segments/{seg}",
         lambda c: {"json": {"target": 5, "version": c["version"]}}, 400,
         "'target' must be a string"),
    Case("save malformed JSON", "put", "/api/segments/{seg}",
         lambda c: {"data": b'{"target": "x", ', "content_type": "application/json"}, 400,
         "must be a JSON object"),
    Case("save script in target", "put", "/api/segments/{seg}",
         lambda c: {"json": {"target": f"{SCRIPT}<b>fett</b>", "version": c["version"]}}, 200,
         "", adds={"revisions": 1}, shown_on="/documents/{doc}"),
    Case("segment id past INTEGER", "put", "/api/segments/2147483648",
         lambda c: {"json": {"target": "x", "version": 1}}, 404, "not found"),
    Case("save version 2**70", "put", "/api/segments/{seg}",
         lambda c: {"json": {"target": "x", "version": 2**70}}, 409, "was changed meanwhile"),
    # Comments.
    Case("comment 100k characters", "post", "/api/segments/{seg}/comments",
         lambda c: {"json": {"text": "x" * 100_000}}, 422, "at most 4,000 characters"),
    Case("comment empty", "post", "/api/segments/{seg}/comments",
         lambda c: {"json": {"text": "   "}}, 422, "The comment is empty."),
    Case("comment script", "post", "/api/segments/{seg}/comments",
         lambda c: {"json": {"text": SCRIPT}}, 201, "", adds={"comments": 1},
         shown_on="/documents/{doc}"),
    Case("page comment 100k characters", "post", "/segments/{seg}/comments",
         lambda c: {"data": {"text": "x" * 100_000}}, 422, "at most 4,000 characters",
         headers=HX),
    # Glossary.
    Case("glossary script in note and term", "post", "/glossary",
         lambda c: {"data": {"terms_de": "Rat", "terms_en": f"council{SCRIPT}",
                             "note": SCRIPT}}, 200, "Added", adds={"glossary": 1},
         shown_on="/glossary", headers=HX),
    # A long note is only text: the glossary takes it.
    Case("glossary note 100k characters", "post", "/glossary",
         lambda c: {"data": {"terms_de": "Rat", "terms_en": "council", "note": "n" * 100_000}},
         200, "Added", adds={"glossary": 1}, headers=HX),
    Case("page glossary import, script in file name", "post", "/glossary/import",
         lambda c: upload(f"{SCRIPT}.csv", b"de,en\n"), 422, f"{SCRIPT}.csv holds no glossary"),
    Case("glossary malformed CSV", "post", "/api/glossary/import",
         lambda c: upload("bad.csv", b'de,en\nA,B\n"Broken,C\n'), 422, "unbalanced quote"),
    Case("glossary CSV wrong encoding", "post", "/api/glossary/import",
         lambda c: upload("l.csv", "de,en\nKöln,Cologne\n".encode("latin-1")), 422,
         "wrong encoding"),
    Case("glossary empty file", "post", "/api/glossary/import", lambda c: upload("e.csv", b""),
         422, "the file is empty"),
    Case("glossary binary data", "post", "/api/glossary/import",
         lambda c: upload("x.csv", BINARY), 422, "wrong encoding"),
    Case("glossary malformed TBX", "post", "/api/glossary/import",
         lambda c: upload("bad.tbx", TBX_MALFORMED), 422, "not well-formed XML"),
    Case("glossary TBX entity bomb", "post", "/api/glossary/import",
         lambda c: upload("bomb.tbx", TBX_BOMB), 422, "declares the XML entity"),
    Case("glossary lookup 500 KB text", "post", "/api/glossary/lookup",
         lambda c: {"json": {"text": "x" * KB500, "lang": "de"}}, 413,
         "at most 100,000 characters"),
    # Memory.
    Case("memory empty TMX", "post", "/api/tm/import", lambda c: upload("e.tmx", b""), 422,
         "The TMX file is empty"),
    Case("memory TMX with XXE", "post", "/api/tm/import", lambda c: upload("x.tmx", TMX_XXE),
         422, "entity declarations are refused"),
    Case("memory lookup 500 KB text", "post", "/api/tm/lookup",
         lambda c: {"json": {"text": "x" * KB500, "source_lang": "de", "target_lang": "en"}},
         422, "longer than a segment may be"),
    # Users and logins.
    Case("user name with script", "post", "/admin/users",
         lambda c: {"data": {"username": SCRIPT, "role": "translator"}}, 303,
         "A user name is 1–80 letters"),
    Case("user name 10k characters", "post", "/admin/users",
         lambda c: {"data": {"username": "a" * 10_000, "role": "translator"}}, 303,
         "A user name is 1–80 letters"),
    Case("login 10k-character name", "post", "/api/login",
         lambda c: {"json": {"username": "a" * 10_000, "password": "p" * 100_000}}, 401,
         "Wrong user name or password"),
    Case("login page, script in user name", "post", "/login",
         lambda c: {"data": {"username": SCRIPT, "password": "x", "csrf_token": c["csrf"]}},
         401, "Wrong user name or password"),
    # MT models.
    Case("model file not a zip, path in name", "post", "/models",
         lambda c: upload("../../evil.argosmodel", BINARY), 400, "is not an Argos model"),
]


def message_of(client, resp) -> str:
    """Return what the user reads: the JSON message, the page's text, or the redirect target's."""
    if resp.status_code in (302, 303):
        resp = client.get(resp.headers["Location"])
    if resp.is_json:
        return resp.get_json().get("message", "")
    return html.unescape(resp.get_data(as_text=True))


@pytest.fixture
def seeded(app, client):
    """Return the ids of a seeded document and its first segment, and the upload limit."""
    # Small enough that the over-size upload stays in memory in the test client.
    app.config["MAX_UPLOAD_BYTES"] = 64 * 1024
    client.get("/glossary")  # the first visit loads the curated glossary; count after it
    resp = client.post("/api/documents", **doc_upload("seed.txt", TEXT.encode()))
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()["id"]
    seg = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    review = client.post("/api/documents", **upload("fr.txt", TEXT.encode(), source_lang="fr",
                                                    target_lang="de", mode="review"))
    assert review.status_code == 201, review.get_json()
    with client.session_transaction() as sess:
        csrf = sess["csrf"]
    return {"csrf": csrf, "doc": doc, "review_fr": review.get_json()["id"], "seg": seg["id"],
            "version": seg["version"], "limit": app.config["MAX_UPLOAD_BYTES"]}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_refused_or_stored_as_text(app, client, seeded, tmp_path, case):
    before, files_before = counts(app), files_outside_instance(tmp_path)
    resp = getattr(client, case.method)(case.url.format(**seeded), headers=case.headers,
                                        **case.kwargs(seeded))
    assert resp.status_code == case.status, resp.get_data(as_text=True)[:2000]
    assert case.message in message_of(client, resp)
    if not resp.is_json:  # the JSON API returns stored text as it is; pages must escape it
        assert "<script>alert" not in resp.get_data(as_text=True)
    expected = {k: v + case.adds.get(k, 0) for k, v in before.items()}
    assert counts(app) == expected
    assert files_outside_instance(tmp_path) == files_before
    if case.stored_name is not None:
        assert resp.get_json()["name"] == case.stored_name
    if case.shown_on:
        new = resp.get_json().get("id") if resp.is_json else None
        page = client.get(case.shown_on.format(new=new, **seeded)).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_windows_path_keeps_only_its_last_part():
    assert importing._clean_name("C:\\x\\..\\y.txt") == "y.txt"
    assert importing._clean_name("../../etc/passwd") == "passwd"
    assert importing._clean_name("a\x00b\n.txt") == "ab.txt"
    assert importing._clean_name("../") == "untitled.txt"
