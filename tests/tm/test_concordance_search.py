"""The concordance reads a query as the editor's search does, and takes the side the words
were selected on, falling back to the other side when that finds nothing."""

from __future__ import annotations

from test_memory import import_tmx, tmx_file, upload_text

UNITS = [("North Korea is isolated.", "Nord Korea ist isoliert."),
         ("North Korea tested a missile.", "Nordkorea testete eine Rakete."),
         ("Kimura spoke.", "Kimura sprach.")]


def concordance(client, **params) -> dict:
    """Return the concordance API's answer."""
    resp = client.get("/api/tm/concordance", query_string={
        "source_lang": "en", "target_lang": "de", **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_regex_between_slashes_searches_the_memory(app, client):
    import_tmx(app, client, tmx_file(UNITS))
    body = concordance(client, q=r"/Nord\s?Korea/", side="target")
    assert sorted(u["target"] for u in body["units"]) == ["Nord Korea ist isoliert.",
                                                          "Nordkorea testete eine Rakete."]
    strict = concordance(client, q=r"/Nord\s?Korea/", side="target", case="1")
    (unit,) = strict["units"]
    assert unit["target"][unit["start"]:unit["end"]] == "Nord Korea"
    assert [u["source"] for u in concordance(client, q="Kim", word="1")["units"]] == []
    assert len(concordance(client, q="Kim")["units"]) == 1
    bad = client.get("/api/tm/concordance", query_string={
        "q": "/(a)\\1/", "source_lang": "en", "target_lang": "de"})
    assert bad.status_code == 422 and "RE2" in bad.get_json()["message"]


def test_words_from_the_target_are_searched_there_with_their_glossary_entry(app, client):
    import_tmx(app, client, tmx_file(UNITS))
    doc = upload_text(client, "Nordkorea schwieg.\n", name="n.de.txt", source_lang="en",
                      target_lang="de", mode="review")
    hx = {"HX-Request": "true"}
    html = client.get("/tm/concordance", headers=hx, query_string={
        "q": "Nordkorea", "doc": doc["id"], "side": "target", "fallback": "1"}
    ).get_data(as_text=True)
    assert '<option value="target" selected>' in html
    assert "<mark>Nordkorea</mark> testete" in html and "North Korea | DPRK" in html
    # English words selected in the target box: nothing there, so the source side answers.
    html = client.get("/tm/concordance", headers=hx, query_string={
        "q": "tested a missile", "doc": doc["id"], "side": "target", "fallback": "1"}
    ).get_data(as_text=True)
    assert '<option value="source" selected>' in html and "<mark>tested a missile</mark>" in html
