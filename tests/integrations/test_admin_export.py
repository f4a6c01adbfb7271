"""The admin exports a filtered list as CSV: every selected row, unpublished work included (desk only)."""

import csv
import io

import pytest

from tests.factories import make_claim, make_verdict

from .helpers import published_fact_check

pytestmark = pytest.mark.django_db


def export(client, url, ids, select_across=False, **filters):
    data = {"action": "export_csv", "_selected_action": [str(i) for i in ids]}
    if select_across:
        data["select_across"] = "1"
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(f"{url}?{query}" if query else url, data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_editor_exports_selected_claims(client, editor, reviewer):
    published = published_fact_check("Published claim.", reviewer=reviewer, editor=editor)
    draft = make_claim("Draft claim, desk only.")
    make_claim("Not selected.")
    client.force_login(editor)
    rows = export(client, "/admin/claims/claim/", [published.claim_id, draft.pk])
    assert sorted(row["text"] for row in rows) == ["Draft claim, desk only.", "Published claim."]


def test_select_all_exports_the_filtered_verdicts(client, editor, reviewer):
    published_fact_check("One.", reviewer=reviewer, editor=editor)
    published_fact_check("Two.", reviewer=reviewer, editor=editor)
    draft = make_verdict(make_claim("Draft."))
    client.force_login(editor)
    rows = export(client, "/admin/claims/verdict/", [draft.pk], select_across=True, status__exact="published")
    assert sorted(row["claim"] for row in rows) == ["One.", "Two."]
    assert {row["status"] for row in rows} == {"published"}
    assert list(rows[0]) == [
        "id", "claim_id", "claim", "status", "rating", "headline", "reviewer", "editor",
        "supersedes_id", "public_note", "published_at", "retracted_at", "updated_at",
    ]  # fmt: skip
