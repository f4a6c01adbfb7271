"""Atom and RSS feeds: published fact-checks only, corrections and retractions as updated entries."""

import feedparser
import pytest
from django.urls import reverse

from claims.models import Rating, Topic
from tests.factories import make_claim, make_speaker, make_verdict

from .helpers import correct, publish, published_fact_check, retract

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_atom_feed_is_valid_and_lists_only_published_fact_checks(client, reviewer, editor):
    published = published_fact_check("Shells were bought.", reviewer=reviewer, editor=editor)
    make_verdict(make_claim("A draft's secret claim."), headline="Draft headline")
    response, feed = parse(client, reverse("feed-all-atom"))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert [entry.link for entry in feed.entries] == [f"http://testserver/fact-checks/{published.claim_id}/"]
    assert feed.entries[0].id == feed.entries[0].link
    assert "Shells were bought." in feed.entries[0].title
    assert "secret" not in response.content.decode()
    assert "Draft headline" not in response.content.decode()


def test_rss_feed_is_valid(client, reviewer, editor):
    published_fact_check("Rockets were bought.", reviewer=reviewer, editor=editor)
    response, feed = parse(client, reverse("feed-all-rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert len(feed.entries) == 1
    assert feed.entries[0].title.startswith("False: ")


def test_correction_updates_the_same_entry(client, reviewer, editor):
    original = published_fact_check("Volunteers were promised.", reviewer=reviewer, editor=editor)
    _, before = parse(client, reverse("feed-all-atom"))
    corrected = correct(
        original, editor=editor, note="New evidence.", rating=Rating.objects.get(slug="disputed"), headline="Disputed"
    )
    _, after = parse(client, reverse("feed-all-atom"))

    assert len(after.entries) == 1
    entry = after.entries[0]
    assert entry.id == before.entries[0].id
    assert entry.title == "Corrected: Disputed: Disputed"
    assert "Correction: New evidence." in entry.summary
    assert entry.updated == corrected.published_at.isoformat()
    assert before.entries[0].updated == original.published_at.isoformat()
    assert entry.published_parsed == before.entries[0].published_parsed


def test_retraction_updates_the_entry_with_its_note(client, reviewer, editor):
    verdict = published_fact_check("Troops were sent.", reviewer=reviewer, editor=editor)
    retract(verdict, editor=editor, note="Misattributed quote.")
    _, feed = parse(client, reverse("feed-all-atom"))

    assert len(feed.entries) == 1
    assert feed.entries[0].title.startswith("Retracted: ")
    assert "Retraction: Misattributed quote." in feed.entries[0].summary
    assert "Why the claim earns this rating." not in feed.entries[0].summary


def test_a_claim_published_again_after_a_retraction_has_one_entry(client, reviewer, editor):
    verdict = published_fact_check("Something twice.", reviewer=reviewer, editor=editor)
    retract(verdict, editor=editor)
    publish(verdict.claim, reviewer=reviewer, editor=editor, headline="Checked again")
    _, feed = parse(client, reverse("feed-all-atom"))
    assert [entry.title for entry in feed.entries] == ["False: Checked again"]


def test_speaker_topic_and_rating_feeds_filter(client, reviewer, editor):
    speaker = make_speaker("Igor Korotchenko")
    topic = Topic.objects.create(name="Artillery", slug="artillery")
    by_speaker = published_fact_check("By Igor.", reviewer=reviewer, editor=editor, speaker=speaker)
    by_speaker.claim.topics.add(topic)
    published_fact_check("Someone else, true.", reviewer=reviewer, editor=editor, rating_slug="true")

    _, feed = parse(client, reverse("feed-speaker-atom", args=[speaker.pk]))
    assert [entry.title for entry in feed.entries] == ["False: By Igor."]
    assert "Igor Korotchenko" in feed.feed.title
    _, feed = parse(client, reverse("feed-topic-rss", args=["artillery"]))
    assert [entry.title for entry in feed.entries] == ["False: By Igor."]
    _, feed = parse(client, reverse("feed-rating-atom", args=["true"]))
    assert [entry.title for entry in feed.entries] == ["True: Someone else, true."]


def test_feeds_of_unpublished_speakers_and_topics_are_not_found(client):
    speaker = make_speaker("Only in drafts")
    make_verdict(make_claim("Draft claim", speaker=speaker))
    Topic.objects.create(name="Unused", slug="unused")
    assert client.get(reverse("feed-speaker-atom", args=[speaker.pk])).status_code == 404
    assert client.get(reverse("feed-topic-atom", args=["unused"])).status_code == 404
    assert client.get(reverse("feed-rating-atom", args=["no-such-rating"])).status_code == 404


def test_public_pages_link_to_their_feeds(client, reviewer, editor):
    speaker = make_speaker("Igor Korotchenko")
    verdict = published_fact_check("Linked.", reviewer=reviewer, editor=editor, speaker=speaker)
    home = client.get(reverse("home")).content.decode()
    assert f'type="application/atom+xml" title="Fact-checks (Atom)" href="{reverse("feed-all-atom")}"' in home
    assert f'type="application/rss+xml" title="Fact-checks (RSS)" href="{reverse("feed-all-rss")}"' in home
    page = client.get(reverse("fact-check", args=[verdict.claim_id])).content.decode()
    assert f'href="{reverse("feed-speaker-atom", args=[speaker.pk])}"' in page
    assert 'type="application/json+oembed"' in page


def test_an_empty_feed_keeps_its_date(client):
    first = client.get(reverse("feed-all-atom"))
    second = client.get(reverse("feed-all-atom"))
    assert first["Last-Modified"] == second["Last-Modified"] == "Sat, 01 Jan 2000 00:00:00 GMT"
    assert first.content == second.content
