"""HTTP caching (ETag, Last-Modified, Cache-Control, Vary), throttling and CORS."""

from datetime import UTC, datetime

import pytest
from django.utils.http import http_date, parse_http_date
from rest_framework.throttling import AnonRateThrottle

from claims import services
from claims.models import Appearance, Claim, Rating, Speaker, Topic, Verdict
from sources.models import Publisher, Source
from tests.api.helpers import API, LIST_ENDPOINTS, body, publish, token_client
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker

pytestmark = pytest.mark.django_db

DETAILS = [
    "claims/13/",
    "verdicts/1/",
    "speakers/15/",
    "sources/1/",
    "publishers/1/",
    "topics/north-korea/",
    "ratings/disputed/",
    "claims/13/claim-review/",
    "verdicts/1/claim-review/",
]
# The speaker's track record changes with verdicts the speaker row does not know of, so a
# speaker has no honest Last-Modified; every other detail has one.
DETAILS_WITH_LAST_MODIFIED = [path for path in DETAILS if not path.startswith("speakers/")]
EVERYTHING = [*(f"{API}{endpoint}/" for endpoint in LIST_ENDPOINTS), *(f"{API}{path}" for path in DETAILS)]
PAGES = ["/", "/fact-checks/13/"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class TestETag:
    @pytest.mark.parametrize("url", [*EVERYTHING, *PAGES])
    def test_every_get_has_an_etag_and_a_match_is_304(self, client, demo_data, url):
        response = client.get(url)
        assert response.status_code == 200
        etag = response["ETag"]
        assert etag.startswith(('"', 'W/"'))
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        other = client.get(url, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200 and other.content == response.content

    def test_desk_members_get_etags_too(self, demo_data, reviewer):
        desk = token_client(reviewer)
        response = desk.get(f"{API}claims/13/")
        assert desk.get(f"{API}claims/13/", headers={"if-none-match": response["ETag"]}).status_code == 304

    def test_etags_change_when_the_content_changes(self, client, reviewer, editor):
        speaker = make_speaker(name="Changing Speaker")
        verdict = publish(make_claim(text="It will change.", speaker=speaker), author=reviewer, editor=editor)
        urls = [f"{API}claims/", f"{API}claims/{verdict.claim_id}/", f"{API}speakers/{speaker.pk}/", f"{API}verdicts/"]
        before = {url: client.get(url)["ETag"] for url in urls}

        services.verdict_correct(
            verdict=verdict,
            actor=editor,
            public_note="Now rated true.",
            changes={"rating": Rating.objects.get(slug="true")},
        )
        for url in urls:
            response = client.get(url, headers={"if-none-match": before[url]})
            assert response.status_code == 200, url
            assert response["ETag"] != before[url]

    def test_speaker_etag_follows_the_track_record(self, client, reviewer, editor):
        speaker = make_speaker(name="Tracked Speaker")
        publish(make_claim(text="First claim.", speaker=speaker), author=reviewer, editor=editor)
        url = f"{API}speakers/{speaker.pk}/"
        first = client.get(url)
        publish(make_claim(text="Second claim.", speaker=speaker), author=reviewer, editor=editor)
        second = client.get(url, headers={"if-none-match": first["ETag"]})
        assert second.status_code == 200
        assert body(second)["track_record"] == {"false": 2}


class TestLastModified:
    @pytest.mark.parametrize("path", DETAILS_WITH_LAST_MODIFIED)
    def test_details_send_it_and_answer_if_modified_since(self, client, demo_data, path):
        url = f"{API}{path}"
        response = client.get(url)
        assert response.has_header("Last-Modified"), f"{url} sends no Last-Modified"
        last_modified = response["Last-Modified"]
        moment = parse_http_date(last_modified)
        assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304
        later = client.get(url, headers={"if-modified-since": http_date(moment + 3600)})
        assert later.status_code == 304
        earlier = client.get(url, headers={"if-modified-since": http_date(moment - 1)})
        assert earlier.status_code == 200 and earlier.content == response.content

    @pytest.mark.parametrize("url", [f"{API}{endpoint}/" for endpoint in LIST_ENDPOINTS])
    def test_lists_never_send_it(self, client, demo_data, url):
        # An item leaving a list (a retraction) changes the list; what remains cannot date that.
        response = client.get(url)
        assert response.status_code == 200
        assert not response.has_header("Last-Modified")

    def test_speakers_do_not_send_it(self, client, demo_data):
        assert not client.get(f"{API}speakers/15/").has_header("Last-Modified")

    @pytest.fixture
    def dated(self, reviewer, editor):
        """A fact-check whose every part was last changed on 1 March 2026, except what a test moves."""
        outlet = make_publisher(name="Dated Outlet")
        source = make_source(title="Dated report", publisher=outlet)
        speaker = make_speaker(name="Dated Speaker")
        topic = Topic.objects.create(name="Dated topic", slug="dated-topic")
        claim = make_claim(text="Dated claim.", speaker=speaker)
        claim.topics.add(topic)
        appearance = make_appearance(claim, source, "dated quote")
        verdict = publish(claim, author=reviewer, editor=editor)
        old = utc(2026, 3, 1, 12)
        for model in (Publisher, Source, Speaker, Topic, Claim, Appearance, Verdict, Rating):
            model.objects.update(updated_at=old)
        return {
            "claim": claim,
            "verdict": verdict,
            "source": source,
            "outlet": outlet,
            "speaker": speaker,
            "topic": topic,
            "appearance": appearance,
        }

    def last_modified(self, client, url) -> int:
        return parse_http_date(client.get(url)["Last-Modified"])

    @pytest.mark.parametrize(
        ("part", "urls"),
        [
            ("verdict", ["claims/{claim}/", "verdicts/{verdict}/", "claims/{claim}/claim-review/"]),
            ("claim", ["claims/{claim}/", "verdicts/{verdict}/", "claims/{claim}/claim-review/"]),
            ("speaker", ["claims/{claim}/", "claims/{claim}/claim-review/"]),
            ("source", ["claims/{claim}/", "claims/{claim}/claim-review/", "sources/{source}/"]),
            ("outlet", ["claims/{claim}/", "claims/{claim}/claim-review/", "sources/{source}/"]),
            ("topic", ["claims/{claim}/"]),
            ("appearance", ["claims/{claim}/", "claims/{claim}/claim-review/"]),
        ],
    )
    def test_is_the_newest_change_of_any_part(self, client, dated, part, urls):
        urls = [
            f"{API}{url.format(claim=dated['claim'].pk, verdict=dated['verdict'].pk, source=dated['source'].pk)}"
            for url in urls
        ]
        old = utc(2026, 3, 1, 12).timestamp()
        for url in urls:
            assert self.last_modified(client, url) == old, url
        newer = utc(2026, 3, 2, 8, 30)
        obj = dated[part]
        type(obj).objects.filter(pk=obj.pk).update(updated_at=newer)
        for url in urls:
            assert self.last_modified(client, url) == newer.timestamp(), f"{url} ignores a change of its {part}"

    def test_an_edited_quote_is_not_answered_with_not_modified(self, client, dated):
        url = f"{API}claims/{dated['claim'].pk}/"
        first = client.get(url)
        appearance = dated["appearance"]
        appearance.quote = "the corrected quote"
        appearance.save()
        response = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
        assert response.status_code == 200, "an edited quote was answered 304 Not Modified"
        assert body(response)["appearances"][0]["quote"] == "the corrected quote"


class TestCacheControl:
    @pytest.mark.parametrize("url", EVERYTHING)
    def test_public_for_anonymous_callers(self, client, demo_data, url):
        response = client.get(url)
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=60", "stale-while-revalidate=300"} <= directives
        assert "private" not in directives

    def test_max_age_comes_from_settings(self, client, demo_data, settings):
        settings.FACTCHECK_API_CACHE_SECONDS = 120
        for url in [f"{API}claims/", f"{API}claims/13/", "/fact-checks/13/"]:
            assert "max-age=120" in client.get(url)["Cache-Control"], url

    @pytest.mark.parametrize("url", [f"{API}claims/", f"{API}claims/13/", f"{API}verdicts/1/", f"{API}claim-reviews/"])
    def test_private_for_authenticated_callers(self, demo_data, reviewer, outsider, url):
        for user in (reviewer, outsider):
            response = token_client(user).get(url)
            directives = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-cache"} <= directives
            assert "public" not in directives and not any(
                d.startswith("max-age=") and d != "max-age=0" for d in directives
            )

    def test_session_callers_are_private_too(self, client, demo_data, outsider):
        client.force_login(outsider)
        assert "private" in client.get(f"{API}claims/")["Cache-Control"]

    @pytest.mark.parametrize("url", EVERYTHING)
    def test_vary_names_what_changes_the_answer(self, client, demo_data, url):
        vary = {part.strip().lower() for part in client.get(url)["Vary"].split(",")}
        assert {"accept", "authorization", "cookie", "origin"} <= vary

    def test_errors_are_not_cached_publicly(self, client, demo_data):
        for url in [f"{API}claims/6/", f"{API}claims/?ordering=nope"]:
            response = client.get(url)
            assert response.status_code in (400, 404)
            assert "public" not in response.get("Cache-Control", "")


class TestThrottling:
    @pytest.fixture
    def three_a_minute(self, monkeypatch):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    def test_anonymous_callers_are_limited(self, client, three_a_minute):
        for _ in range(3):
            assert client.get(f"{API}ratings/").status_code == 200
        response = client.get(f"{API}claims/")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert body(response)["detail"]
        assert "public" not in response.get("Cache-Control", "")

    def test_each_address_has_its_own_allowance(self, client, three_a_minute):
        for _ in range(4):
            client.get(f"{API}ratings/", REMOTE_ADDR="10.0.0.1")
        assert client.get(f"{API}ratings/", REMOTE_ADDR="10.0.0.1").status_code == 429
        assert client.get(f"{API}ratings/", REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_authenticated_callers_are_not_limited_by_the_anonymous_rate(self, reviewer, three_a_minute):
        desk = token_client(reviewer)
        assert all(desk.get(f"{API}ratings/").status_code == 200 for _ in range(6))


class TestCORS:
    ORIGIN = "https://newsroom.example.org"

    @pytest.fixture(autouse=True)
    def allowed_origin(self, settings):
        settings.CORS_ALLOWED_ORIGINS = [self.ORIGIN]

    def test_allowed_origin(self, client, demo_data):
        response = client.get(f"{API}claims/13/", headers={"origin": self.ORIGIN})
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == self.ORIGIN
        exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
        assert {"etag", "last-modified", "link"} <= exposed

    def test_other_origins_are_not_allowed(self, client, demo_data):
        response = client.get(f"{API}claims/13/", headers={"origin": "https://elsewhere.example.com"})
        assert response.status_code == 200
        assert not response.has_header("Access-Control-Allow-Origin")

    def test_preflight(self, client):
        response = client.options(
            f"{API}claims/", headers={"origin": self.ORIGIN, "access-control-request-method": "GET"}
        )
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == self.ORIGIN
        methods = {method.strip() for method in response["Access-Control-Allow-Methods"].split(",")}
        assert "GET" in methods and "POST" not in methods and "DELETE" not in methods

    def test_only_the_api_is_shared(self, client, demo_data):
        for url in ["/", "/fact-checks/13/", "/admin/login/"]:
            assert not client.get(url, headers={"origin": self.ORIGIN}).has_header("Access-Control-Allow-Origin")
