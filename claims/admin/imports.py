"""Importing ClaimReview from the verdict list: upload, read the dry run, then confirm.

The uploaded files wait in storage under a token bound to the session, so the confirmed
import writes exactly what the dry run checked. The import itself is ``claims.importing``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import importing
from ..forms import ClaimReviewImportForm

IMPORT_SESSION_KEY = "claimreview_import"
IMPORT_RESULT_SESSION_KEY = "claimreview_import_result"


class ImportViews:
    """Mixed into the verdict admin: the import wizard and the link to it on the list."""

    def import_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="claims_verdict_import")]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm("claims.import_claimreview")}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest):
        """Upload ClaimReview, read the dry run's summary, then confirm the import.

        The uploaded files wait in storage under a token bound to this session, so the
        confirmed import writes exactly what the dry run checked.
        """
        if not request.user.has_perm("claims.import_claimreview"):
            raise PermissionDenied
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import ClaimReview",
        }
        if request.method == "POST" and "cancel" in request.POST:
            importing.discard(pending.get("token", ""))
            request.session.pop(IMPORT_SESSION_KEY, None)
            self.message_user(request, "Import cancelled; nothing was written.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, pending, context)

        posted = request.method == "POST"
        form = ClaimReviewImportForm(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            importing.discard(pending.get("token", ""))
            request.session.pop(IMPORT_SESSION_KEY, None)
            inputs = [importing.Input(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            options = form.import_options()
            try:
                summary = importing.import_claimreview(inputs, dry_run=True, actor=request.user, **options)
            except importing.ImportRefused as refused:
                context.update(form=form, summary=refused.summary, refused=True)
                return TemplateResponse(request, "admin/claims/verdict/import.html", context)
            token = importing.stash(inputs)
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "names": [item.name for item in inputs],
                **options,
            }
            context.update(summary=summary, pending=request.session[IMPORT_SESSION_KEY], token=token)
            return TemplateResponse(request, "admin/claims/verdict/import.html", context)
        context.update(form=form, result=request.session.pop(IMPORT_RESULT_SESSION_KEY, None))
        return TemplateResponse(request, "admin/claims/verdict/import.html", context)

    def _confirm_import(self, request, pending, context):
        token = request.POST.get("token", "")
        if not pending or pending.get("token") != token:
            self.message_user(
                request, "That upload is no longer waiting (already imported or cancelled).", messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        try:
            inputs = importing.unstash(token)
        except FileNotFoundError:
            request.session.pop(IMPORT_SESSION_KEY, None)
            self.message_user(request, "That upload has expired; please upload the files again.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        try:
            summary = importing.import_claimreview(
                inputs,
                skip_invalid=pending["skip_invalid"],
                publisher_name=pending["publisher_name"],
                day_first=pending.get("day_first"),
                language=pending.get("language", ""),
                actor=request.user,
            )
        except importing.ImportRefused as refused:
            context.update(form=ClaimReviewImportForm(), summary=refused.summary, refused=True)
            return TemplateResponse(request, "admin/claims/verdict/import.html", context)
        finally:
            # Imported or refused, the upload is done with: a retry starts from a new upload.
            importing.discard(token)
            request.session.pop(IMPORT_SESSION_KEY, None)
        self.message_user(request, summary.lines()[0], messages.SUCCESS)
        request.session[IMPORT_RESULT_SESSION_KEY] = summary.lines()
        return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
