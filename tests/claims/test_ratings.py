"""The default verdict scale shipped by the data migration."""

import re

import pytest

from claims.models import Rating
from claims.selectors import rating_scale_bounds

pytestmark = pytest.mark.django_db


def test_scale_covers_the_axis_and_the_off_axis_verdicts():
    slugs = set(Rating.objects.values_list("slug", flat=True))
    assert {"true", "mostly-true", "half-true", "mostly-false", "false"} <= slugs
    assert {"disputed", "unverifiable", "opinion"} <= slugs


def test_axis_values_run_from_true_to_false_in_display_order():
    on_axis = list(Rating.objects.filter(value__isnull=False).order_by("position").values_list("slug", "value"))
    assert [slug for slug, _ in on_axis] == ["true", "mostly-true", "half-true", "mostly-false", "false"]
    values = [value for _, value in on_axis]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)


def test_off_axis_verdicts_have_no_value():
    assert set(Rating.objects.filter(value__isnull=True).values_list("slug", flat=True)) == {
        "disputed",
        "unverifiable",
        "opinion",
        "unmapped",  # imported reviews whose rating is not on the scale (claims.ratingmap)
    }


def test_every_rating_is_complete():
    for rating in Rating.objects.all():
        assert rating.label and rating.description, rating.slug
        assert re.fullmatch(r"#[0-9a-f]{6}", rating.colour), rating.slug
        rating.full_clean()


def test_scale_bounds_for_schema_org_review_rating():
    assert rating_scale_bounds() == (1, 5)


def test_scale_bounds_follow_edits_to_the_scale():
    Rating.objects.filter(slug="true").update(value=7)
    assert rating_scale_bounds() == (1, 7)
