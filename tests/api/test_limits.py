"""Resource limits of the public API: page size, search terms, query strings, parameter counts.

The limits come from the OpenAPI schema the app serves, so a list or a text parameter
added later is held to them without anyone adding it here. Throttling (429 with
Retry-After) is tested in test_caching.py.
"""

import pytest

from factcheck.api.views import MAX_QUERY_LENGTH
from tests.api.helpers import body

# The longest text a date-time, a number or a boolean parameter needs (an ISO date-time
# with microseconds and an offset is 32 characters).
SCALAR_LENGTH = {"date-time": 32, "date": 10, "integer": 20, "number": 32, "boolean": 5}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return body(Client().get("/api/schema/", {"format": "json"}))


def operations(schema) -> list[tuple[str, dict[str, dict]]]:
    """(path, query parameters by name) of every GET operation."""
    return [
        (path, {p["name"]: p["schema"] for p in item["get"].get("parameters", []) if p["in"] == "query"})
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
    ]


def lists_with(schema, parameter: str) -> list[tuple[str, dict]]:
    return [(path, params[parameter]) for path, params in operations(schema) if parameter in params and "{" not in path]


@pytest.fixture
def api(client):
    # A server error must show up as a failed assertion, not as an exception.
    client.raise_request_exception = False
    return client


def assert_refused(response, parameter: str | None = None) -> dict:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].split(";")[0] in ("application/json", "application/ld+json")
    data = body(response)
    assert isinstance(data["detail"], str) and data["detail"]
    if parameter is not None:
        assert parameter in data["errors"], data
    return data


def test_every_list_caps_its_page_size(api, schema, demo_data):
    paginated = lists_with(schema, "page_size")
    assert len(paginated) >= 6
    for path, page_size in paginated:
        largest = page_size["maximum"]
        assert 1 <= largest <= 500, path
        assert_refused(api.get(path, {"page_size": largest + 1}), "page_size")
        assert_refused(api.get(path, {"page_size": 10**30}), "page_size")
        assert_refused(api.get(path, {"page_size": 0}), "page_size")
        assert api.get(path, {"page_size": largest}).status_code == 200, path


def test_every_text_parameter_has_a_length_limit(schema):
    unbounded = [
        f"{path}?{name}"
        for path, params in operations(schema)
        for name, spec in params.items()
        if spec.get("type") == "string" and "enum" not in spec and "format" not in spec and "maxLength" not in spec
    ]
    assert not unbounded, unbounded


def test_search_terms_over_the_limit_are_refused(api, schema, demo_data):
    searchable = lists_with(schema, "q")
    assert {"/api/v1/claims/", "/api/v1/verdicts/", "/api/v1/speakers/"} <= {path for path, _ in searchable}
    for path, q in searchable:
        limit = q["maxLength"]
        assert limit <= 200, path
        data = assert_refused(api.get(path, {"q": "volunteers " * (limit // 11 + 1)}), "q")
        assert str(limit) in data["detail"], data["detail"]
        assert api.get(path, {"q": "v" * limit}).status_code == 200, path


def test_every_text_parameter_is_refused_past_its_limit(api, schema, demo_data):
    for path, params in operations(schema):
        if "{" in path:
            continue
        for name, spec in params.items():
            if spec.get("type") == "string" and "maxLength" in spec and name != "cursor":
                assert_refused(api.get(path, {name: "x" * (spec["maxLength"] + 1)}), name)


def longest_valid_query(params: dict[str, dict]) -> int:
    """The length of the longest query string the schema allows, every parameter at its longest."""
    total = 0
    for name, spec in params.items():
        if spec.get("type") == "array":
            values = spec["items"].get("enum", [])
            total += sum(len(name) + 2 + len(value) for value in values)
            continue
        if "enum" in spec:
            value = max(len(str(option)) for option in spec["enum"])
        elif "maxLength" in spec:
            value = spec["maxLength"]
        else:
            value = SCALAR_LENGTH.get(spec.get("format"), SCALAR_LENGTH.get(spec.get("type"), 0))
        total += len(name) + 2 + value
    return total


def test_the_query_string_limit_never_refuses_a_valid_request(schema):
    longest = max(longest_valid_query(params) for _, params in operations(schema))
    assert 1000 < longest <= MAX_QUERY_LENGTH


def test_over_long_query_strings_are_refused_before_they_are_read(api, schema, demo_data):
    padding = "x" * (MAX_QUERY_LENGTH + 1)
    for path, _ in operations(schema):
        concrete = path.replace("{id}", "1").replace("{slug}", "false")
        # Refused as too long, whatever the parameters are: none of them is looked at.
        data = assert_refused(api.get(f"{concrete}?zz={padding}"))
        assert f"{MAX_QUERY_LENGTH:,}" in data["detail"], data["detail"]
        assert_refused(api.get(f"{concrete}?q={padding}"))


def test_a_query_string_of_many_parameters_is_a_json_400(api, demo_data):
    # Django refuses to parse more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters.
    data = assert_refused(api.get("/api/v1/claims/?" + "&".join(f"a{i}=" for i in range(1001))))
    assert "Too many parameters" in data["detail"]


def test_percent_encoding_does_not_hide_length(api, demo_data):
    # Counted once decoded: an encoded query string just over the limit in raw bytes but
    # within it once decoded is read, and one over it once decoded is refused.
    within = "%41" * (MAX_QUERY_LENGTH // 3 - 10)
    assert body(api.get(f"/api/v1/claims/?zz={within}"))["errors"]["zz"]  # read: an unknown parameter
    assert_refused(api.get("/api/v1/claims/?zz=" + "%41" * (MAX_QUERY_LENGTH + 1)))
