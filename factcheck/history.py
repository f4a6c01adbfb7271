"""Change history for the records a fact-check depends on."""

from django.db import models
from simple_history.models import HistoricalRecords

# simple-history's history_type: a record was created, changed or deleted.
HISTORY_TYPES = ("+", "~", "-")


class History(HistoricalRecords):
    """django-simple-history's records, indexed only for how history is read.

    History is read per object (its id) and in time order (history_date, indexed by
    simple-history itself). The copies of foreign keys and other indexed columns are never
    searched, so they are not indexed: every index is paid for on each change, and bulk
    imports write a history row for everything they create.

    History tables refuse values outside a field's choices, as the tables they record do:
    bulk imports write history rows directly, and the record must be as sound as the data.
    Retiring a choice therefore means deciding what its history rows become.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.name:
                field.db_index = False
        return fields

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        choice_fields = [field for field in self.fields_included(model) if field.choices]
        options["constraints"] = [
            *options.get("constraints", ()),
            *(choice_constraint(field.name, [value for value, _ in field.flatchoices]) for field in choice_fields),
            choice_constraint("history_type", HISTORY_TYPES),
        ]
        return options


def choice_constraint(name: str, values) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__in": list(values)}), name=f"%(app_label)s_%(class)s_{name}_valid"
    )
