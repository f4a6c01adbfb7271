"""Importing ClaimReview from the verdict list: upload, read the dry run, then confirm.

The uploaded files wait in storage under a token bound to the session, so the confirmed
import writes exactly what the dry run checked. The import itself is ``claims.importing``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_tasks import TaskResultStatus

from .. import importing
from ..forms import ClaimReviewImportForm
from ..tasks import import_claimreview_job, read_import_progress

IMPORT_SESSION_KEY = "claimreview_import"
IMPORT_RESULT_SESSION_KEY = "claimreview_import_result"
# What the form decides about an import, kept in the session from the dry run to the import.
IMPORT_OPTIONS = ("publisher_name", "skip_invalid", "day_first", "language")


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
            inputs = [importing.Input(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
            options = form.import_options()
            token = importing.stash(inputs)
            del inputs
            # The dry run, like the import, runs on the background worker (claims.tasks).
            job = import_claimreview_job.enqueue(token=token, user_id=request.user.pk, dry_run=True, **options)
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "names": [upload.name for upload in form.cleaned_data["files"]],
                "job": str(job.id),
                **options,
            }
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        if not posted and pending.get("job"):
            return self._job_page(request, pending, context)
        context.update(form=form, result=request.session.pop(IMPORT_RESULT_SESSION_KEY, None))
        return TemplateResponse(request, "admin/claims/verdict/import.html", context)

    def _job_page(self, request, pending, context):
        """The running job's progress, then the dry run's summary or the import's result."""
        job = import_claimreview_job.get_result(pending["job"])
        template = "admin/claims/verdict/import.html"
        if not job.is_finished:
            context.update(job=job, pending=pending, progress=read_import_progress(pending["job"]))
            return TemplateResponse(request, template, context)
        if job.status != TaskResultStatus.SUCCESSFUL:
            request.session.pop(IMPORT_SESSION_KEY, None)
            importing.discard(pending["token"])
            self.message_user(request, "The import job failed; nothing was written. Try again.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        outcome = job.return_value
        if pending.get("confirmed") or outcome["refused"]:
            request.session.pop(IMPORT_SESSION_KEY, None)
        if pending.get("confirmed"):
            if outcome["refused"]:
                context.update(form=ClaimReviewImportForm(), summary=outcome, refused=True)
                return TemplateResponse(request, template, context)
            self.message_user(request, outcome["lines"][0], messages.SUCCESS)
            request.session[IMPORT_RESULT_SESSION_KEY] = outcome["lines"]
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        if outcome["refused"]:
            importing.discard(pending["token"])
            context.update(form=ClaimReviewImportForm(), summary=outcome, refused=True)
            return TemplateResponse(request, template, context)
        # The dry run passed: the upload waits for the confirmation (this page shows it again).
        request.session[IMPORT_SESSION_KEY] = {**pending, "checked": True}
        context.update(summary=outcome, pending=pending, token=pending["token"])
        return TemplateResponse(request, template, context)

    def _confirm_import(self, request, pending, context):
        token = request.POST.get("token", "")
        if not pending or pending.get("token") != token or not pending.get("checked") or pending.get("confirmed"):
            self.message_user(
                request, "That upload is no longer waiting (already imported or cancelled).", messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
        job = import_claimreview_job.enqueue(
            token=token,
            user_id=request.user.pk,
            dry_run=False,
            **{name: pending.get(name) for name in IMPORT_OPTIONS},
        )
        request.session[IMPORT_SESSION_KEY] = {**pending, "job": str(job.id), "confirmed": True}
        return HttpResponseRedirect(reverse("admin:claims_verdict_import"))
