"""Change history for the records a fact-check depends on."""

from simple_history.models import HistoricalRecords


class History(HistoricalRecords):
    """django-simple-history's records, indexed only for how history is read.

    History is read per object (its id) and in time order (history_date, indexed by
    simple-history itself). The copies of foreign keys and other indexed columns are never
    searched, so they are not indexed: every index is paid for on each change, and bulk
    imports write a history row for everything they create.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.name:
                field.db_index = False
        return fields
