"""The history page of claims and verdicts, readable (see ``claims.history_log``).

Replaces django-simple-history's list of raw records with rows of who, when, why and
what changed; the records and simple-history's other views stay as they are.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse

from .. import history_log

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Admin = ModelAdmin[Any]
else:
    _Admin = object  # a mixin: the ModelAdmin comes later in the class's bases


class ReadableHistory(_Admin):
    """Mixed into a SimpleHistoryAdmin of claims or verdicts."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "opts": self.model._meta,
            "object": obj,
            "rows": history_log.history(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/claims/history.html", context)
