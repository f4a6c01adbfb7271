"""django-simple-history's admin, with reverts only by those who may change the record.

simple-history lets anyone who may *view* a record's history post its revert form, which
saves the old version: a view-only desk member could edit. Here a revert needs the change
permission, and runs in one transaction as the admin's own change form does. Records whose
changes must go through the services (claims and verdicts: the workflow, corrections,
public notes) set ``revert_allowed = False``: their history is read-only.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    revert_allowed = True

    def revert_disabled(self, request, obj=None):
        return (
            not self.revert_allowed
            or not self.has_change_permission(request, obj)
            or super().revert_disabled(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.revert_allowed:
            raise PermissionDenied("Reverting is not available here: edit the record, so the workflow applies.")
        if not self.has_change_permission(request):
            raise PermissionDenied("Reverting needs the permission to change this record.")
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)
