"""Every choice and every range a field declares is enforced by the database itself.

The fields are found by looking at the models, history tables included, so a field added
later with choices or a range and no constraint behind them fails here. Each value is
written with a raw ``update()``, which skips all validation in Python.
"""

import pytest
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connection, transaction

from claims.models import Rating

APPS = ("claims", "sources")

# Positive integer columns are signed integers of these sizes with a check added.
STORAGE = {
    "PositiveSmallIntegerField": "SmallIntegerField",
    "PositiveIntegerField": "IntegerField",
    "PositiveBigIntegerField": "BigIntegerField",
}


def storage_range(field) -> tuple[int | None, int | None]:
    """The values the column's type can hold at all; a validator at these limits adds no rule."""
    if field.get_internal_type() not in {*STORAGE, *STORAGE.values(), "AutoField", "BigAutoField", "SmallAutoField"}:
        return None, None
    internal = field.get_internal_type()
    return connection.ops.integer_field_range(STORAGE.get(internal, internal))


def not_a_choice(field):
    values = {value for value, _ in field.flatchoices}
    if not isinstance(next(iter(values)), str):
        return max(values) + 1
    candidates = (candidate[: field.max_length] for candidate in ("not-a-choice", "?", "x"))
    return next(candidate for candidate in candidates if candidate not in values)


def out_of_range(field) -> list:
    """A value just outside each bound of the field's declared range."""
    lowest, highest = storage_range(field)
    values = []
    for validator in field.validators:
        if not isinstance(validator, MinValueValidator | MaxValueValidator):
            continue
        limit = validator.limit_value() if callable(validator.limit_value) else validator.limit_value
        if isinstance(validator, MinValueValidator) and limit != lowest:
            values.append(limit - 1)
        elif isinstance(validator, MaxValueValidator) and limit != highest:
            values.append(limit + 1)
    return values


def rules() -> list[tuple[type, object, object]]:
    """(model, field, a value the database must refuse) for every rule the fields declare."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            for field in model._meta.concrete_fields:
                if field.choices:
                    found.append((model, field, not_a_choice(field)))
                found.extend((model, field, value) for value in out_of_range(field))
    return found


RULES = rules()


@pytest.fixture
def a_row_of_every_model(demo_data):
    """The demo data, and a history row of each record with history (a raw load writes none)."""
    for model in apps.get_models():
        tracked = getattr(model, "instance_type", None)
        if model._meta.app_label in APPS and tracked is not None:
            tracked._base_manager.order_by("pk").first().save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "value"), RULES, ids=[f"{m._meta.label}.{f.name}={v!r}" for m, f, v in RULES]
)
def test_the_database_refuses_a_value_outside_the_rule(a_row_of_every_model, model, field, value):
    row = model._base_manager.order_by("pk").first()
    assert row is not None, f"the test needs a {model._meta.label} row to write to"

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        model._base_manager.filter(pk=row.pk).update(**{field.attname: value})

    # The refusal is this field's rule, not some other constraint of the row.
    assert field.column in str(caught.value), str(caught.value)


def test_the_rules_found_include_the_known_ones():
    found = {f"{model._meta.label}.{field.name}" for model, field, _ in RULES}
    assert {
        "claims.Speaker.kind",
        "claims.Verdict.status",
        "claims.Evidence.stance",
        "claims.Evidence.position",
        "claims.Rating.value",
        "claims.Rating.position",
        "claims.Claim.version",
        "sources.Source.kind",
        "claims.HistoricalVerdict.status",
        "claims.HistoricalVerdict.history_type",
        "sources.HistoricalSource.kind",
    } <= found
    # Rating values start at 1, stricter than the column's own 0.
    assert [value for model, field, value in RULES if model is Rating and field.name == "value"] == [0]
