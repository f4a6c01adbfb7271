"""Web addresses are checked where they are written, so the API only serves ``format: uri``.

The admin used to accept ``https://x.example/a?b=</script>``, which the API then returned
under a schema promising an RFC 3986 URI.
"""

import json

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from factcheck.weburls import normalise_web_url, validate_web_url
from sources.models import Publisher, Source

URI = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/a?b=</script>",
        "https://x.example/a b",
        "https://x.example/ñ",
        "https://x.example/a[b]",
        "https://x.example/a#b#c",
        "https://x.example/%zz",
        'https://x.example/"quoted"',
        "ftp://x.example/file",
        "javascript:alert(1)",
        "/relative/path",
    ],
)
def test_what_is_not_an_absolute_http_uri_is_refused(url):
    with pytest.raises(ValidationError):
        validate_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/a?b=%3C/script%3E",
        "http://[2001:db8::1]/a",
        "https://www.example.org/2022/09/05/russia-to-buy-rockets/?utm_source=x&a=1#top",
        "https://user@x.example:8443/a;b=c/(d)*+,!$'~",
    ],
)
def test_absolute_http_uris_are_accepted(url):
    validate_web_url(url)
    assert URI.is_valid(url)


def test_typed_addresses_are_percent_encoded_before_they_are_checked():
    assert normalise_web_url(" https://x.example/a?b=</script> ") == "https://x.example/a?b=%3C/script%3E"
    assert normalise_web_url("https://x.example/señal") == "https://x.example/se%C3%B1al"


@pytest.mark.django_db
def test_the_admin_stores_what_the_api_may_serve(editor):
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/admin/sources/source/add/",
        {"title": "A report", "url": "https://x.example/a?b=</script>", "kind": "report", "language": "en"},
    )
    assert response.status_code == 302, response.content[:3000]
    source = Source.objects.get(title="A report")
    assert source.url == "https://x.example/a?b=%3C/script%3E"
    assert URI.is_valid(source.url)


@pytest.mark.django_db
def test_the_admin_refuses_an_address_that_is_not_a_web_url(editor):
    client = Client()
    client.force_login(editor)
    response = client.post("/admin/sources/publisher/add/", {"name": "Outlet", "url": "https://x.example/a#b#c"})
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()
    assert not Publisher.objects.filter(name="Outlet").exists()


@pytest.mark.django_db
def test_a_fixture_with_an_invalid_address_loads_nothing(tmp_path):
    fixture = tmp_path / "bad.json"
    fixture.write_text(
        json.dumps([{"model": "sources.publisher", "pk": 900, "fields": {"name": "Outlet", "url": "https://x/a#b#c"}}])
    )
    with pytest.raises(CommandError, match="URL"):
        call_command("loaddata", str(fixture), verbosity=0)
    assert not Publisher.objects.filter(pk=900).exists()


@pytest.mark.django_db
def test_the_importer_stores_what_the_api_may_serve():
    from claims import importing
    from claims.models import Verdict
    from tests.importer.helpers import POLITIFACT, review

    record = review(POLITIFACT, url="https://checker.example/fact-check/señal?q={x}|y^")
    importing.import_claimreview([importing.Input("feed.json", json.dumps([record]).encode())])
    stored = Verdict.objects.get().review_url
    assert stored == "https://checker.example/fact-check/se%C3%B1al?q=%7Bx%7D%7Cy%5E"
    assert URI.is_valid(stored)
