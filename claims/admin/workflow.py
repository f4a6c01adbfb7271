"""The verdict's workflow screens: confirmation pages, the correction form and bulk actions.

Which transitions exist, and who may make them when, is the table in
``claims.transitions``; these views ask ``services.may`` / ``services.allowed_transitions``
and carry a transition out with ``services.verdict_transition``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import services
from ..forms import CorrectionForm, TransitionForm
from ..models import Verdict
from ..transitions import TRANSITIONS, Transition
from .display import WORKFLOW_ERRORS


def _expected_version(request: HttpRequest) -> int | None:
    expected = request.POST.get("loaded_version")
    return int(expected) if expected and expected.isdigit() else None


class WorkflowViews:
    """Mixed into the verdict admin: one confirmation page per transition, and the correction form."""

    def workflow_urls(self):
        return [
            path(
                "<int:verdict_id>/workflow/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="claims_verdict_transition",
            ),
            path(
                "<int:verdict_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="claims_verdict_correct",
            ),
        ]

    def transition_url(self, verdict: Verdict, transition: Transition) -> str:
        if transition.name == "correct":  # the correction has its own form
            return reverse("admin:claims_verdict_correct", args=[verdict.pk])
        return reverse("admin:claims_verdict_transition", args=[verdict.pk, transition.name])

    def _context(self, request, verdict, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "verdict": verdict,
            "original": verdict,
            **extra,
        }

    def _after(self, verdict: Verdict, transition: Transition) -> str:
        if transition.to_status is None:  # the verdict is gone: back to its claim
            return reverse("admin:claims_claim_change", args=[verdict.claim_id])
        return reverse("admin:claims_verdict_change", args=[verdict.pk])

    def transition_view(self, request: HttpRequest, verdict_id: int, name: str):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        transition = TRANSITIONS.get(name)
        if transition is None or not request.user.has_perm(transition.permission):
            raise PermissionDenied
        if transition.name == "correct":
            return HttpResponseRedirect(self.transition_url(verdict, transition))
        change_url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        form = TransitionForm(request.POST if request.method == "POST" else None, text_field=transition.text_field)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data.get(transition.text_name, "") if transition.text_name else ""
            try:
                services.verdict_transition(
                    name=transition.name,
                    verdict=verdict,
                    actor=request.user,
                    text=text,
                    expected_version=_expected_version(request),
                )
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{transition.label}: done.", messages.SUCCESS)
                return HttpResponseRedirect(self._after(verdict, transition))
        context = self._context(
            request, verdict, f"{transition.label}?", transition=transition, form=form, change_url=change_url
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)

    def correct_view(self, request: HttpRequest, verdict_id: int):
        verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating"), pk=verdict_id)
        if not request.user.has_perm(TRANSITIONS["correct"].permission):
            raise PermissionDenied
        initial = {field: getattr(verdict, field) for field in services.CORRECTABLE_FIELDS}
        form = CorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            changes = {field: form.cleaned_data[field] for field in services.CORRECTABLE_FIELDS}
            try:
                corrected = services.verdict_correct(
                    verdict=verdict,
                    actor=request.user,
                    public_note=form.cleaned_data["public_note"],
                    changes=changes,
                    expected_version=_expected_version(request),
                )
            except WORKFLOW_ERRORS as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, "The correction is published; the previous version is kept.")
                return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[corrected.pk]))
        context = self._context(
            request,
            verdict,
            "Publish a correction",
            form=form,
            change_url=reverse("admin:claims_verdict_change", args=[verdict.pk]),
        )
        return TemplateResponse(request, "admin/claims/verdict/correct.html", context)

    # Bulk actions: one per transition the table offers in bulk ----------------------------

    def workflow_actions(self, request) -> dict:
        actions = {}
        for transition in TRANSITIONS.values():
            if transition.bulk and request.user.has_perm(transition.permission):
                name = f"{transition.name}_selected"
                action = self._bulk_action(transition)
                actions[name] = (action, name, f"{transition.label}: the selected verdicts")
        return actions

    def _bulk_action(self, transition: Transition):
        def action(modeladmin, request, queryset):
            return modeladmin._bulk(request, queryset, transition)

        return action

    def _bulk(self, request, queryset, transition: Transition):
        form = TransitionForm(request.POST if "confirm" in request.POST else None, text_field=transition.text_field)
        if "confirm" in request.POST and form.is_valid():
            text = form.cleaned_data.get(transition.text_name, "") if transition.text_name else ""
            done, failures = 0, []
            for verdict in queryset:
                try:
                    services.verdict_transition(name=transition.name, verdict=verdict, actor=request.user, text=text)
                except WORKFLOW_ERRORS as error:
                    failures.append(f"“{verdict.claim}”: {error}")
                else:
                    done += 1
            if done:
                self.message_user(request, f"{transition.label}: {done} verdict(s).", messages.SUCCESS)
            for failure in failures:
                self.message_user(request, f"Not done for {failure}", messages.ERROR)
            return None
        context = self._context(
            request,
            None,
            f"{transition.label}: {queryset.count()} verdict(s)?",
            transition=transition,
            form=form,
            queryset=queryset,
            action=f"{transition.name}_selected",
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )
        return TemplateResponse(request, "admin/claims/verdict/transition.html", context)
