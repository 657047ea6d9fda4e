"""Schemathesis against the OpenAPI document, in-process: no operation answers 5xx."""

from __future__ import annotations

import collections
import io

import pytest
import schemathesis
from conftest import PASSWORD, make_user
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]

# Bounded and repeatable: the same examples on every run, seconds in all.
EXAMPLES = 30
TMX = (b'<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="de" segtype="sentence" '
       b'datatype="plaintext" adminlang="en" creationtool="t" creationtoolversion="1" '
       b'o-tmf="t"/><body><tu><tuv xml:lang="de"><seg>Der Rat tagte.</seg></tuv>'
       b'<tuv xml:lang="en"><seg>The council met.</seg></tuv></tu></body></tmx>')


@pytest.fixture
def token_and_schema(app, seed_bytes):
    """Return bearer headers for an admin and the app's schema, with one document seeded."""
    make_user(app, "fuzz-admin", "admin")
    http = app.test_client()
    token = http.post("/api/login", json={"username": "fuzz-admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    resp = http.post("/api/documents", headers=headers,
                     data={"file": (io.BytesIO(seed_bytes), "seed.de.txt"),
                           "source_lang": "de", "target_lang": "en", "mode": "review"},
                     content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()["id"]
    seg = http.get(f"/api/documents/{doc}/segments", headers=headers).get_json()["segments"][0]
    job = http.post("/api/tm/import", headers=headers,
                    data={"file": (io.BytesIO(TMX), "memory.tmx")},
                    content_type="multipart/form-data")
    assert job.status_code == 202, job.get_json()
    ids = {"doc_id": doc, "seg_id": seg["id"], "job_id": job.get_json()["id"]}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, headers=dict(headers))
    return headers, schema, ids


def test_no_operation_answers_a_server_error(token_and_schema):
    headers, schema, ids = token_and_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens may revoke the fuzzer's own (DELETE /api/tokens/1): that goes last.
    operations.sort(key=lambda op: op.path.startswith("/api/tokens/"))
    assert len(operations) > 10
    failures, statuses = [], collections.Counter()
    for operation in operations:
        # Half the cases on ids that exist, so they get past the 404 into the view.
        known = {k: v for k, v in ids.items() if f"{{{k}}}" in operation.path}
        strategy = operation.as_strategy()
        if known:
            strategy = strategy | operation.as_strategy(path_parameters=known)

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code // 100] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The token and the seeded ids worked: many cases got past auth and the 404 into a view.
    assert statuses[2] > 200, statuses
