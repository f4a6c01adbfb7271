"""Input nothing can read is a 4xx, never a 500: NUL bytes, forged cursors, over-long names.

On PostgreSQL each of these reached the database and failed there (text cannot hold NUL;
offsets beyond ±15:59 are refused; axes stores usernames in 255 characters).
"""

import base64

import orjson
import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def cursor(ordering: str, position, key=1) -> str:
    payload = orjson.dumps({"o": ordering, "p": position, "k": key, "b": False})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


FAR_OFFSET = "2022-09-05T10:00:00+23:00"

ANONYMOUS = [
    "/api/v1/topics/%00/",
    "/api/v1/ratings/%00/",
    "/api/v1/claims/%00/",
    "/api/v1/claims/?q=%00",
    "/api/v1/claims/?ordering=-updated_at&cursor=" + cursor("-updated_at", FAR_OFFSET),
    "/api/v1/verdicts/?ordering=-published_at&cursor=" + cursor("-published_at", "2022-09-05T10:00:00-16:00"),
    "/api/v1/speakers/?cursor=" + cursor("name", "Igor\x00"),
    "/api/v1/publishers/?cursor=" + cursor("name", "\x00"),
    "/api/v1/topics/?cursor=" + cursor("name", "a\x00b"),
    "/fact-checks/%00/",
]


@pytest.mark.parametrize("url", ANONYMOUS)
def test_anonymous_bad_input_is_a_json_400_under_the_api(demo_data, url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400 if url.startswith("/api/") else response.status_code in (400, 404)
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_every_time_ordered_list_refuses_a_far_offset_cursor(demo_data):
    client = Client(raise_request_exception=False)
    from claims.api.views import ClaimViewSet, VerdictViewSet

    for base, viewset in (("claims", ClaimViewSet), ("verdicts", VerdictViewSet)):
        for name, order in viewset.pagination_class.orderings.items():
            if order.kind.__name__ != "DateTimeField":
                continue
            response = client.get(f"/api/v1/{base}/", {"ordering": name, "cursor": cursor(name, FAR_OFFSET)})
            assert response.status_code == 400, (base, name)
            assert "cursor" in response.json()["errors"]


def test_a_256_character_username_at_the_login_is_a_400(db):
    response = Client(raise_request_exception=False).post(
        "/admin/login/?next=/admin/", {"username": "u" * 256, "password": "guess"}
    )
    assert response.status_code == 400


STAFF = [
    "/admin/claims/claim/?topic=%00",
    "/admin/claims/claim/?rating=%00",
    "/admin/claims/claim/?source=%00",
    "/admin/claims/verdict/?status=%00",
    "/admin/autocomplete/?term=%00&app_label=claims&model_name=claim&field_name=speaker",
    "/admin/claims/claim/%00/history/",
    "/admin/claims/claim/1/history/%00/",
    "/admin/sources/source/1/history/%00/",
]


@pytest.mark.parametrize("url", STAFF)
def test_staff_bad_input_is_a_400(demo_data, superuser, url):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    assert client.get(url).status_code == 400


@override_settings(DEBUG=True)
def test_an_api_path_that_names_no_endpoint_is_json_with_debug_pages_on(db):
    response = Client().get("/api/v1/claims/-2.2e-313/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "endpoint" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/admin/claims/verdict/add/", {"claim": "abc"}, "claim"),
        ("/admin/claims/claim/add/", {"text": "A claim.", "speaker": "abc", "topics": ["x"]}, "speaker"),
        ("/admin/claims/claim/add/", {"text": "A claim.", "speaker": "99999999999999999999999"}, "speaker"),
    ],
)
def test_a_non_numeric_autocomplete_value_is_a_form_error(superuser, url, data, field):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    response = client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
