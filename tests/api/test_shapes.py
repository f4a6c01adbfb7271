"""A public field is declared once: added to a shape, it appears in every output derived from it.

The shapes here are test-only copies of the API's own (claims.api.shapes) with one more
field; the API itself is left as it is. Each output is produced by the same functions the
API uses: the serializer and its OpenAPI component, the JSON PostgreSQL builds, the plain
rows other databases read and the rows that date a detail (Last-Modified).
"""

import json

import pytest
from django.db import connection
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims.api import shapes
from claims.api.rows import LISTS, links
from claims.models import Claim, Verdict
from factcheck.api import jsonsql
from factcheck.api.fields import iso_datetime
from factcheck.api.renderers import JSONRenderer
from factcheck.api.shapes import build, json_expression, nested, rows_shown, serializer_for, value, value_paths
from tests.api.helpers import publish
from tests.factories import make_claim, make_speaker

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"

# The claims list item with one more field of its own and one more of its nested speaker.
SPEAKER_BRIEF_PLUS = shapes.SPEAKER_BRIEF.extend("SpeakerBriefPlus", value("affiliation"))
CLAIM_SUMMARY_PLUS = shapes.CLAIM_SUMMARY.extend(
    "ClaimSummaryPlus", nested("speaker", SPEAKER_BRIEF_PLUS, allow_null=True), value("created_at")
)


@pytest.fixture
def published_claim(reviewer, editor):
    speaker = make_speaker(name="Ana Ruiz", role="Minister", affiliation="Labour ministry")
    claim = make_claim(text="Unemployment fell.", speaker=speaker)
    verdict = publish(claim, author=reviewer, editor=editor, rating="mostly-true")
    claim = Claim.objects.select_related("speaker").get(pk=claim.pk)  # as publishing left it
    claim.listed_verdict = Verdict.objects.select_related("rating").get(pk=verdict.pk)
    return claim


def schema_component(serializer_class) -> dict:
    auto = AutoSchema()
    auto.registry = ComponentRegistry()
    auto.method = "GET"
    auto.path = "/"
    view = GenericAPIView()
    view.request = None
    auto.view = view
    auto.resolve_serializer(serializer_class(), "response")
    return {component.name: component.schema for component in auto.registry._components.values()}


def serialized(shape, instance) -> dict:
    request = Request(APIRequestFactory().get("/"))
    data = serializer_for(shape)(instance, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def test_the_copy_differs_from_the_api_by_the_added_fields_only():
    keys = [f.key for f in CLAIM_SUMMARY_PLUS.fields]
    assert keys == [*(f.key for f in shapes.CLAIM_SUMMARY.fields), "created_at"]
    assert "affiliation" not in serializer_for(shapes.SPEAKER_BRIEF)().fields


def test_an_added_field_is_in_the_serializer_and_the_schema(published_claim):
    data = serialized(CLAIM_SUMMARY_PLUS, published_claim)
    assert data["created_at"] == iso_datetime(published_claim.created_at)
    assert data["speaker"]["affiliation"] == "Labour ministry"
    components = schema_component(serializer_for(CLAIM_SUMMARY_PLUS))
    assert components["ClaimSummaryPlus"]["properties"]["created_at"]["format"] == "date-time"
    assert "affiliation" in components["SpeakerBriefPlus"]["properties"]
    assert "created_at" not in schema_component(serializer_for(shapes.CLAIM_SUMMARY))["ClaimSummary"]["properties"]


def test_an_added_field_is_in_the_list_items_built_from_rows_and_by_the_database(published_claim):
    _, prefix, aliases = LISTS["claims"]
    verdicts = Verdict.objects.filter(pk=published_claim.listed_verdict.pk)
    expected = serialized(CLAIM_SUMMARY_PLUS, published_claim)

    paths, expressions = value_paths(CLAIM_SUMMARY_PLUS, prefix, aliases)
    row = verdicts.values(*paths, **expressions).get()
    from_rows = json.loads(JSONRenderer().render(build(CLAIM_SUMMARY_PLUS, row, links(ORIGIN), prefix, aliases)))
    assert from_rows == expected
    assert from_rows["created_at"] and from_rows["speaker"]["affiliation"] == "Labour ministry"

    expression = jsonsql.AsText(json_expression(CLAIM_SUMMARY_PLUS, links(ORIGIN), prefix, aliases))
    if connection.vendor == "postgresql":
        from_database = json.loads(verdicts.values_list(expression, flat=True).get())
        assert from_database == expected
    else:
        # Other databases do not build JSON; the expression still names the new columns.
        sql, _ = verdicts.values(item=expression).query.sql_with_params()
        assert '"claims_claim"."created_at"' in sql and '"affiliation"' in sql


def test_an_added_nested_object_dates_the_detail(published_claim):
    """Last-Modified is the newest of the rows a detail shows: a nested shape added is among them."""
    verdict = Verdict.objects.select_related("claim__speaker", "rating").get(pk=published_claim.listed_verdict.pk)
    plus = shapes.VERDICT_DETAIL.extend("VerdictDetailPlus", nested("speaker", SPEAKER_BRIEF_PLUS, "claim__speaker"))
    assert published_claim.speaker not in list(rows_shown(shapes.VERDICT_DETAIL, verdict))
    assert published_claim.speaker in list(rows_shown(plus, verdict))
