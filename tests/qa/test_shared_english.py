"""Two German segments sharing one English sentence (a 2:1 alignment) are checked together."""

from __future__ import annotations

import io

from api_steps import align_original, codes, segments

GERMAN = ("Kim traf Putin am 12. Mai in Wladiwostok.\n\n"
          "Dort sprachen beide 3 Stunden über Waffen.\n\n"
          "Der Kreml schwieg danach.\n")
ENGLISH = ("Kim met Putin in Vladivostok on 12 May, where both talked about weapons for 3 hours.\n\n"
           "The Kremlin stayed silent afterwards.\n")


def test_a_number_in_the_second_segment_is_not_missing_from_the_first(client):
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(GERMAN.encode()), "geteilt.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    accepted = align_original(client, doc, ENGLISH)["accepted"]
    assert accepted["shared"] == 1
    first, second, third = segments(client, doc)
    assert first["source"].startswith("Kim met Putin") and second["source"] == ""
    # The English's "3" is in the second German segment: the pair answers the check.
    assert "numbers" not in codes(client, first)
    # So does the document-wide search for open warnings (the filter, the export check).
    check = client.get(f"/api/documents/{doc}/export/check").get_json()
    assert 1 not in check["qa_flagged_segments"]
    # A number the pair really lacks is still found.
    client.put(f"/api/segments/{second['id']}", json={
        "target": "Dort sprachen beide lange über Waffen.", "version": second["version"]})
    assert "numbers" in codes(client, first)
