"""Shared builders and HTTP helpers for the read API tests."""

import json
import time
from contextlib import contextmanager
from itertools import count

from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from claims import services
from claims.choices import Stance, VerdictStatus
from claims.models import Claim, Evidence, Rating, Topic, Verdict
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker, make_verdict

API = "/api/v1/"
LIST_ENDPOINTS = ["claims", "verdicts", "speakers", "sources", "publishers", "topics", "ratings", "claim-reviews"]
PAGINATED_JSON_ENDPOINTS = ["claims", "verdicts", "speakers", "sources", "publishers", "topics"]

_serial = count(1)


@contextmanager
def rolled_back_at_the_end(django_db_blocker):
    """For data built once per module: everything done inside is undone when the block ends.

    Each test still runs in its own savepoint inside this transaction, so what one test
    changes the next one never sees.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def token_client(user) -> Client:
    """A client that authenticates every request with the user's DRF token."""
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


def body(response):
    """The decoded JSON (or JSON-LD) body of a response."""
    return json.loads(response.content)


def get_json(client, url, params=None, *, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params, response.status_code, response.content[:500])
    return body(response)


def walk(client, url, params=None) -> list[dict]:
    """Every item of a cursor-paginated JSON list, following the next links as given."""
    data = get_json(client, url, params)
    items = list(data["results"])
    followed = set()
    while data["next"]:
        assert data["next"] not in followed, "a next link leads back to a page already seen"
        followed.add(data["next"])
        data = get_json(client, data["next"])
        items.extend(data["results"])
    return items


def ids(items, key="id") -> list:
    return [item[key] for item in items]


def publish(
    claim: Claim,
    *,
    author,
    editor,
    rating: str = "false",
    headline: str = "The record shows otherwise",
    explanation: str = "Because the documents say so.",
    internal_notes: str = "",
) -> Verdict:
    """Write, submit and publish a verdict through the desk's services."""
    verdict = submit(
        claim,
        author=author,
        rating=rating,
        headline=headline,
        explanation=explanation,
        internal_notes=internal_notes,
    )
    return services.verdict_publish(verdict=verdict, actor=editor)


def draft(claim: Claim, *, author, rating: str | None = None, **fields) -> Verdict:
    verdict = Verdict(claim=claim, rating=Rating.objects.get(slug=rating) if rating else None, **fields)
    return services.verdict_save(verdict=verdict, actor=author)


def submit(claim: Claim, *, author, rating: str = "false", **fields) -> Verdict:
    fields.setdefault("headline", "A headline")
    fields.setdefault("explanation", "An explanation.")
    return services.verdict_submit(verdict=draft(claim, author=author, rating=rating, **fields), actor=author)


def published_fact_checks(n: int, *, prefix: str = "item") -> list[Verdict]:
    """``n`` published fact-checks, each with its own speaker, topic, source, publisher and evidence.

    Built with the factories (not the services) because the query-count tests need many.
    """
    verdicts = []
    for _ in range(n):
        i = next(_serial)
        publisher = make_publisher(name=f"{prefix} outlet {i}", url=f"https://outlet-{i}.example.org/")
        source = make_source(title=f"{prefix} report {i}", publisher=publisher, url=f"https://example.org/{prefix}/{i}")
        speaker = make_speaker(name=f"{prefix} speaker {i}", role="Spokesperson")
        topic = Topic.objects.create(name=f"{prefix} topic {i}", slug=f"{prefix}-topic-{i}")
        claim = make_claim(text=f"{prefix} claim number {i} is checkable.", speaker=speaker)
        claim.topics.add(topic)
        make_appearance(claim, source, f"{prefix} quote {i}")
        verdict = make_verdict(claim, status=VerdictStatus.PUBLISHED, headline=f"{prefix} headline {i}")
        Evidence.objects.create(verdict=verdict, source=source, stance=Stance.CONTRADICTS, note=f"{prefix} note {i}")
        verdicts.append(verdict)
    return verdicts


def eventually(condition, seconds: float = 10.0) -> bool:
    """Whether ``condition()`` comes true within ``seconds`` (a notification arrives a moment after its commit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
