"""loaddata loads a fixture whole or not at all, and names the object that stops it."""

import copy
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from claims.models import Appearance, Claim, Evidence, Rating, Speaker, Topic, Verdict
from sources.models import Publisher, Source

pytestmark = pytest.mark.django_db

STAMP = "2024-05-02T09:00:00Z"
ARTICLE = "The minister said the bridge will open in May. Engineers say the deck is not finished."
PK = 9001


def stamped(**fields) -> dict:
    return {"created_at": STAMP, "updated_at": STAMP, **fields}


# A small valid fixture. The claim comes before its speaker and topic: references to
# objects later in the same fixture must load.
VALID = [
    {"model": "sources.publisher", "pk": PK, "fields": stamped(name="The Daily Example")},
    {"model": "claims.claim", "pk": PK, "fields": stamped(text="The bridge opens in May.", speaker=PK, topics=[PK])},
    {"model": "claims.speaker", "pk": PK, "fields": stamped(name="The minister", kind="person", role="Minister")},
    {"model": "claims.topic", "pk": PK, "fields": {"name": "Bridges", "slug": "bridges", "updated_at": STAMP}},
    {
        "model": "sources.source",
        "pk": PK,
        "fields": stamped(title="Bridge to open in May", publisher=PK, kind="news_article", archived_text=ARTICLE),
    },
    {
        "model": "claims.appearance",
        "pk": PK,
        "fields": stamped(claim=PK, source=PK, quote="the bridge will open in May", attributed_to="The minister"),
    },
    {
        "model": "claims.rating",
        "pk": PK,
        "fields": {
            "slug": "parody",
            "label": "Parody",
            "value": None,
            "colour": "#777777",
            "position": 90,
            "updated_at": STAMP,
        },
    },
    {"model": "claims.verdict", "pk": PK, "fields": stamped(claim=PK, rating=PK, headline="Not finished yet")},
    {
        "model": "claims.evidence",
        "pk": PK,
        "fields": {"verdict": PK, "source": PK, "stance": "contradicts", "quote": "the deck is not finished"},
    },
]
LOADED = [Publisher, Claim, Speaker, Topic, Source, Appearance, Rating, Verdict, Evidence]


def fixture_with(model: str, **changes) -> tuple[list[dict], int]:
    """The valid fixture with one object changed, and that object's index."""
    objects = copy.deepcopy(VALID)
    [index] = [i for i, obj in enumerate(objects) if obj["model"] == model]
    objects[index]["fields"].update(changes)
    return objects, index


def write(path: Path, objects: list[dict]) -> Path:
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    """Rows of every model of every app: proof that nothing at all was written."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def refused(*paths: Path) -> str:
    """Load, expect a refusal that wrote nothing, and return its message."""
    counts = row_counts()
    with pytest.raises(CommandError) as caught:
        call_command("loaddata", *map(str, paths), verbosity=0)
    assert row_counts() == counts, "a refused load wrote something"
    for model in LOADED:
        assert not model._base_manager.filter(pk=PK).exists(), model
    assert "Nothing was loaded" in str(caught.value) or "nothing was loaded" in str(caught.value)
    return str(caught.value)


# (what is wrong, the model of the bad object, its changed fields, words the message must contain)
BAD_OBJECTS = [
    ("bad-choice", "claims.speaker", {"kind": "robot"}, ["kind", "'robot' is not a valid choice"]),
    ("bad-verdict-status", "claims.verdict", {"status": "approved"}, ["status", "'approved' is not a valid choice"]),
    ("negative-position", "claims.evidence", {"position": -1}, ["position", "greater than or equal to 0"]),
    ("rating-value-below-the-axis", "claims.rating", {"value": 0}, ["value", "greater than or equal to 1"]),
    ("dangling-foreign-key", "claims.appearance", {"source": 4040}, ["source", "sources.source with id 4040 does not"]),
    (
        "dangling-self-reference",
        "claims.verdict",
        {"supersedes": 4040, "public_note": "Corrected."},
        ["supersedes", "claims.verdict with id 4040"],
    ),
    ("dangling-many-to-many", "claims.claim", {"topics": [PK, 4040]}, ["topics", "claims.topic with id 4040 does not"]),
    ("over-long-text", "claims.speaker", {"role": "x" * 301}, ["role", "at most 300 characters (it has 301)"]),
    ("over-long-url", "sources.source", {"url": "https://example.org/" + "a" * 2000}, ["url", "at most 2000"]),
    ("quote-not-in-source", "claims.appearance", {"quote": "the bridge opens in May"}, ["quote", "not found verbatim"]),
    (
        "attribution-not-in-source",
        "claims.appearance",
        {"attributed_to": "The mayor"},
        ["attributed_to", "not found verbatim"],
    ),
    ("evidence-not-in-source", "claims.evidence", {"quote": "the deck is finished"}, ["quote", "not found verbatim"]),
    ("empty-required-text", "claims.claim", {"text": ""}, ["text", "cannot be blank"]),
    ("bad-colour", "claims.rating", {"colour": "grey"}, ["colour", "#rrggbb"]),
]


class TestOneBadObject:
    @pytest.mark.parametrize(
        ("model", "changes", "words"), [case[1:] for case in BAD_OBJECTS], ids=[case[0] for case in BAD_OBJECTS]
    )
    def test_refuses_the_whole_fixture_naming_the_object_and_the_problem(self, tmp_path, model, changes, words):
        objects, index = fixture_with(model, **changes)
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        assert f"{path}, object at index {index} ({model} pk={PK}): " in message
        for word in words:
            assert word in message, (word, message)

    def test_a_row_the_database_refuses_is_named_too(self, tmp_path):
        # Field by field the verdict is fine; together its fields break a constraint.
        objects, index = fixture_with("claims.verdict", status="in_review", rating=None)
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        assert f"{path}, object at index {index} (claims.verdict pk={PK}): " in message
        assert "claims_verdict_in_review_has_rating" in message

    def test_an_object_that_cannot_be_read_is_named_by_its_index(self, tmp_path):
        objects, index = fixture_with("claims.evidence", position="first")
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        assert f"{path}, object at index {index}: " in message
        assert "claims.evidence" in message and "first" in message

    def test_a_natural_key_that_names_nothing(self, tmp_path):
        objects, index = fixture_with("claims.verdict", rating=["no-such-rating"])
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        assert f"{path}, object at index {index} (claims.verdict pk={PK}): " in message

    def test_an_unknown_model(self, tmp_path):
        objects = [*copy.deepcopy(VALID), {"model": "claims.nothing", "pk": 1, "fields": {}}]
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        assert f"{path}, object at index {len(VALID)}: " in message
        assert "claims.nothing" in message


class TestWholeOrNothing:
    def test_a_valid_fixture_loads_with_its_forward_references(self, tmp_path):
        call_command("loaddata", str(write(tmp_path / "desk.json", VALID)), verbosity=0)

        claim = Claim.objects.get(pk=PK)
        assert claim.speaker.name == "The minister"
        assert list(claim.topics.values_list("slug", flat=True)) == ["bridges"]
        assert Evidence.objects.get(pk=PK).verdict.claim == claim

    def test_loading_twice_changes_nothing(self, tmp_path):
        path = write(tmp_path / "desk.json", VALID)
        call_command("loaddata", str(path), verbosity=0)
        counts = row_counts()

        call_command("loaddata", str(path), verbosity=0)

        assert row_counts() == counts

    def test_a_bad_object_in_the_second_fixture_refuses_the_first_too(self, tmp_path):
        good = write(tmp_path / "good.json", VALID[:4])
        objects, _ = fixture_with("claims.speaker", kind="robot")
        bad = write(tmp_path / "bad.json", [*objects[4:], {**objects[2], "pk": PK + 1}])

        message = refused(good, bad)

        assert f"{bad}, object at index {len(objects) - 4} (claims.speaker pk={PK + 1}): kind: " in message

    def test_every_invalid_object_is_listed_in_fixture_order(self, tmp_path):
        objects = copy.deepcopy(VALID)
        objects[5]["fields"]["quote"] = "the bridge opened in April"  # appearance
        objects[8]["fields"]["source"] = 4040  # evidence
        objects[1]["fields"]["topics"] = [4041]  # claim
        path = write(tmp_path / "desk.json", objects)

        message = refused(path)

        first, *listed = message.splitlines()
        assert first == "3 invalid objects; nothing was loaded:"
        assert [line.split(":")[0] for line in listed] == [
            f"{path}, object at index 1 (claims.claim pk={PK})",
            f"{path}, object at index 5 (claims.appearance pk={PK})",
            f"{path}, object at index 8 (claims.evidence pk={PK})",
        ]

    def test_objects_already_in_the_database_are_left_as_they_were(self, tmp_path):
        call_command("loaddata", str(write(tmp_path / "desk.json", VALID)), verbosity=0)
        objects, _ = fixture_with("claims.speaker", role="Former minister")
        objects[5]["fields"]["quote"] = "the bridge opened in April"
        counts = row_counts()

        with pytest.raises(CommandError):
            call_command("loaddata", str(write(tmp_path / "changed.json", objects)), verbosity=0)

        assert row_counts() == counts
        assert Speaker.objects.get(pk=PK).role == "Minister"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dangling_reference_is_refused_before_commit(tmp_path):
    # Outside a test's own transaction the command's is the real one: on PostgreSQL foreign
    # keys are only checked at its commit, which the refusal must come before.
    objects, index = fixture_with("claims.appearance", claim=4040)
    path = write(tmp_path / "desk.json", objects)

    message = refused(path)

    assert f"{path}, object at index {index} (claims.appearance pk={PK}): claim: claims.claim with id 4040" in message


def test_the_project_command_is_the_one_manage_py_runs():
    assert get_commands()["loaddata"] == "claims"


def test_the_demo_fixture_loads(demo_data):
    assert Claim.objects.count() == 19
    assert Appearance.objects.count() == 23
