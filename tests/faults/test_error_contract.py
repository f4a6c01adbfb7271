"""The API's error contract holds behind gunicorn: a long query string is the API's JSON 400.

gunicorn's default request-line limit (4,094 bytes) answered an HTML error first.
"""

from urllib.parse import quote

import pytest

from factcheck.api.views import MAX_QUERY_LENGTH
from tests.faults.conftest import Server


@pytest.fixture
def server(tmp_path):
    running = Server({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}, tmp_path / "server.log")
    yield running
    running.stop()


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "a" * (MAX_QUERY_LENGTH + 10),
        "q=" + quote("ж" * (MAX_QUERY_LENGTH + 10)),  # six bytes a character once percent-encoded
    ],
)
def test_a_long_query_string_is_the_apis_json_400(server, query):
    assert len(query) > 4094
    status, headers, body = server.get("/api/v1/claims/?" + query)
    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert b"the API reads at most" in body
    refusals = [line for line in server.log_lines() if line.get("reason") == "query string too long"]
    assert [line["request_id"] for line in refusals] == [headers["X-Request-ID"]]
