"""Small builders for test data; every argument can be overridden."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.models import Appearance, Claim, Rating, Speaker, Verdict
from sources.models import Publisher, Source


def make_user(username: str = "someone", **fields):
    return get_user_model().objects.create_user(username=username, password="pw", is_staff=True, **fields)


def make_publisher(name: str = "Example Outlet", **fields) -> Publisher:
    return Publisher.objects.create(name=name, **fields)


def make_source(title: str = "An article", **fields) -> Source:
    return Source.objects.create(title=title, **fields)


def make_speaker(name: str = "Jane Doe", **fields) -> Speaker:
    return Speaker.objects.create(name=name, **fields)


def make_claim(text: str = "Something checkable happened.", **fields) -> Claim:
    return Claim.objects.create(text=text, **fields)


def make_appearance(claim: Claim, source: Source, quote: str, **fields) -> Appearance:
    return Appearance.objects.create(claim=claim, source=source, quote=quote, **fields)


def make_verdict(claim: Claim, status: str = VerdictStatus.DRAFT, **fields) -> Verdict:
    if status != VerdictStatus.DRAFT:
        fields.setdefault("rating", Rating.objects.get(slug="false"))
    if status in (VerdictStatus.PUBLISHED, VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED):
        fields.setdefault("published_at", timezone.now())
        fields.setdefault("first_published_at", fields["published_at"])
    if status == VerdictStatus.RETRACTED:
        fields.setdefault("retracted_at", timezone.now())
        fields.setdefault("public_note", "Retracted.")
    return Verdict.objects.create(claim=claim, status=status, **fields)
