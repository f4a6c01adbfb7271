"""The OpenAPI schema is valid and tells the truth about the responses and parameters."""

import json
import re
from urllib.parse import unquote, urlparse

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from tests.api.helpers import body, published_fact_checks, rolled_back_at_the_end, token_client

pytestmark = pytest.mark.django_db

# Objects of the demo to fill path parameters with: public ones, and for desk members unpublished ones too.
PUBLIC_PATH_VALUES = {"claims": 13, "verdicts": 1, "speakers": 15, "sources": 1, "publishers": 1}
SLUGS = {"topics": "north-korea", "ratings": "disputed"}
# A draft (6) and a verdict in review (7) with their claims (9, 3), and a claim without any
# verdict (2): what only the desk sees.
DESK_PATH_VALUES = [{"claims": 9, "verdicts": 6}, {"claims": 3, "verdicts": 7}, {"claims": 2}]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def to_json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema: components under $defs, nullable as null allowed."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"].replace("#/components/schemas/", "#/$defs/")}
    converted = {}
    for key, value in node.items():
        if key in ("nullable", "readOnly", "writeOnly", "example", "discriminator", "xml", "externalDocs"):
            continue
        if key in ("properties", "patternProperties"):
            converted[key] = {name: to_json_schema(child) for name, child in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            converted[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            converted[key] = [to_json_schema(child) for child in value]
        else:
            converted[key] = value
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


_validators: dict[str, Draft202012Validator] = {}
_definitions: dict[str, dict] = {}


def definitions(schema: dict) -> dict:
    """The schema's components as JSON Schema, checked against the metaschema once."""
    if "defs" not in _definitions:
        defs = {name: to_json_schema(component) for name, component in schema["components"]["schemas"].items()}
        Draft202012Validator.check_schema({"$defs": defs})
        _definitions["defs"] = defs
    return _definitions["defs"]


def validator_for(schema: dict, response_schema: dict) -> Draft202012Validator:
    key = json.dumps(response_schema, sort_keys=True)
    if key not in _validators:
        converted = to_json_schema(response_schema)
        Draft202012Validator.check_schema(converted)
        checker = FormatChecker()
        # jsonschema checks "uri" only with an optional package; a URI has at least a scheme.
        checker.checks("uri")(lambda value: not isinstance(value, str) or bool(urlparse(value).scheme))
        _validators[key] = Draft202012Validator({"$defs": definitions(schema), **converted}, format_checker=checker)
    return _validators[key]


def get_operations(schema: dict):
    for path, operations in schema["paths"].items():
        if "get" in operations:
            yield path, operations["get"]


def fill_path(path: str, values: dict) -> str:
    endpoint = path.split("/")[3]
    return path.replace("{id}", str(values.get(endpoint, 1))).replace("{slug}", SLUGS.get(endpoint, ""))


def assert_valid(schema, operation, response, url):
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    content_type = response["Content-Type"].split(";")[0]
    documented = operation["responses"]["200"]["content"]
    assert content_type in documented, f"{url} answers {content_type}, documented: {list(documented)}"
    errors = sorted(validator_for(schema, documented[content_type]["schema"]).iter_errors(body(response)), key=str)
    assert not errors, f"{url}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_schema_is_valid_openapi(schema):
    assert schema["openapi"].startswith("3.0")
    validate_spec(schema)


def test_schema_documents_every_endpoint(schema):
    paths = set(schema["paths"])
    for endpoint in ["claims", "verdicts", "speakers", "sources", "publishers", "topics", "ratings", "claim-reviews"]:
        assert f"/api/v1/{endpoint}/" in paths
    assert {"/api/v1/claims/{id}/claim-review/", "/api/v1/verdicts/{id}/claim-review/"} <= paths
    for path, operations in schema["paths"].items():
        assert set(operations) <= {"get", "parameters"}, f"{path} documents a write"


# Operations that need a query: one the demo data answers.
REQUIRED_PARAMETERS = {
    "/api/v1/claims/similar/": {"text": "North Korea promised 100,000 volunteers"},
    "/api/v1/claims:search": {"query": "North Korea promised 100,000 volunteers"},
}


def test_every_response_matches_its_schema(client, schema, demo_data):
    operations = list(get_operations(schema))
    assert len(operations) >= 19
    for path, operation in operations:
        url = fill_path(path, PUBLIC_PATH_VALUES)
        assert_valid(schema, operation, client.get(url, REQUIRED_PARAMETERS.get(path, {})), url)


@pytest.mark.parametrize("values", DESK_PATH_VALUES, ids=["draft", "in review", "claim without verdict"])
def test_desk_details_match_the_schema_too(schema, demo_data, reviewer, values):
    desk = token_client(reviewer)
    for path, operation in get_operations(schema):
        if "{id}" in path and "claim-review" not in path and path.split("/")[3] in values:
            url = fill_path(path, values)
            assert_valid(schema, operation, desk.get(url), url)


def test_desk_lists_match_the_schema_too(schema, demo_data, reviewer):
    desk = token_client(reviewer)
    lists = dict(get_operations(schema))
    for status in ["draft", "in_review"]:
        url = f"/api/v1/claims/?status={status}&ordering=-updated_at"
        response = desk.get(url)
        assert body(response)["results"], url
        assert_valid(schema, lists["/api/v1/claims/"], response, url)
        url = f"/api/v1/verdicts/?status={status}"
        assert_valid(schema, lists["/api/v1/verdicts/"], desk.get(url), url)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


EXAMPLES = {
    "q": "Korea",
    "rating": "disputed",
    "topic": "north-korea",
    "language": "en",
    "web_url": "https://example.org/",
    "speaker": "15",
    "source": "1",
    "publisher": "1",
    "claim": "13",
    "page_size": "10",
    "text": "North Korea volunteers",
    "query": "North Korea volunteers",
    "languageCode": "en",
    "unpublished": "false",  # true is for desk members (403 for everyone else)
    "pageToken": "MA",  # the first page's token
}


def example_value(schema: dict, parameter: dict) -> str:
    """A value a newsroom tool could send for this documented parameter."""
    name = parameter["name"]
    spec = resolve(schema, parameter.get("schema", {}))
    if spec.get("type") == "array":
        spec = resolve(schema, spec["items"])
    if "enum" in spec:
        return "published" if "published" in spec["enum"] else str(spec["enum"][0])
    if name in EXAMPLES:
        return EXAMPLES[name]
    if spec.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    if spec.get("format") == "date":
        return "2022-08-05"
    if spec.get("type") == "boolean":
        return "true"
    if spec.get("type") in ("integer", "number"):
        return "1"
    return "x"


def a_real_cursor(client, url) -> str:
    response = client.get(url, {"page_size": 1})
    next_url = body(response).get("next") if "results" in body(response) else None
    if next_url is None:
        next_url = re.search(r'<([^>]+)>; rel="next"', response["Link"]).group(1)
    return re.search(r"[?&]cursor=([^&]+)", next_url).group(1)


def test_every_documented_parameter_is_accepted(client, schema, demo_data):
    published_fact_checks(2)  # every list has a second page to take a cursor from
    refused = []
    for path, operation in get_operations(schema):
        url = fill_path(path, PUBLIC_PATH_VALUES)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            if parameter["name"] == "cursor":
                value = unquote(a_real_cursor(client, url))
            else:
                value = example_value(schema, parameter)
            response = client.get(url, {**REQUIRED_PARAMETERS.get(path, {}), parameter["name"]: value})
            if response.status_code != 200:
                refused.append(f"{path}?{parameter['name']}={value} -> {response.status_code}")
    assert not refused, refused


def test_every_accepted_parameter_is_documented(client, schema):
    for path, operation in get_operations(schema):
        if "{" in path or path == "/api/v1/ratings/":
            continue
        data = body(client.get(path, {"no_such_parameter": "1"}))
        accepted = set(re.search(r"accepts: (.*)\.", data["errors"]["no_such_parameter"][0]).group(1).split(", "))
        documented = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
        assert accepted == documented, path


def test_the_validation_would_notice_a_wrong_response(client, schema, demo_data):
    """The checks above are not vacuous: a response that breaks its schema is caught."""
    operation = dict(get_operations(schema))["/api/v1/claims/{id}/"]
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    good = body(client.get("/api/v1/claims/13/"))
    assert not list(validator_for(schema, response_schema).iter_errors(good))
    for broken in [
        {**good, "id": "13"},
        {key: value for key, value in good.items() if key != "verdict"},
        {**good, "verdict": {**good["verdict"], "status": "secret"}},
        {**good, "verdict": {**good["verdict"], "published_at": "yesterday"}},
        {**good, "appearances": [{**good["appearances"][0], "source": None}]},
        {**good, "speaker": {**good["speaker"], "url": "not a url"}},
    ]:
        assert list(validator_for(schema, response_schema).iter_errors(broken)), broken
