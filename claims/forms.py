"""Admin forms: optimistic locking for edits, and the forms behind workflow transitions."""

import re
from pathlib import Path
from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .importing import SUFFIXES
from .models import Evidence, Rating, Verdict
from .ratingmap import UNMAPPED_SLUG
from .services import (
    ConflictError,
    WorkflowError,
    check_no_current_verdict,
    lock_current_version,
    missing_for_submission,
)


class VersionedModelForm(forms.ModelForm):
    """Carries the version of the row the person opened; refuses to save over a newer one.

    The check runs inside the admin's transaction and locks the row, so two people
    saving at the same moment cannot both pass it; the service re-checks before saving.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk is not None:
            expected = cleaned.get("loaded_version")
            try:
                lock_current_version(type(self.instance), self.instance.pk, expected if expected is not None else -1)
            except ConflictError as error:
                raise ValidationError(str(error), code="conflict") from error
        return cleaned


class RatingChoiceField(forms.ModelChoiceField):
    """The desk's scale as radio buttons, each with its colour and description."""

    def label_from_instance(self, rating: Rating):
        return format_html(
            '<span class="rating-chip" style="background:{}"></span> <strong>{}</strong> '
            '<span class="rating-description">{}</span>',
            rating.colour,
            rating.label,
            rating.description,
        )


def desk_ratings(current: Rating | None = None):
    """The scale a person grades with: "Not on our scale" is for imported reviews only."""
    ratings = Rating.objects.exclude(slug=UNMAPPED_SLUG)
    if current is not None and current.slug == UNMAPPED_SLUG:
        ratings = Rating.objects.filter(pk__in=[*ratings.values_list("pk", flat=True), current.pk])
    return ratings


class RatingRadioSelect(forms.RadioSelect):
    """The scale as a list of radio buttons, one rating a line (claims/admin.css)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "rating-scale", **(attrs or {})}, choices)


class TransitionForm(forms.Form):
    """Confirmation of a workflow transition, with the text some transitions require."""

    def __init__(self, *args, text_field: tuple[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if text_field:
            name, label = text_field
            self.fields[name] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionForm(forms.Form):
    """A corrected version of a published verdict and the public note that explains it.

    ``previous``: the published verdict. When the rating changes and the explanation
    still names the old rating's label, the form says so, and publishes only once the
    person ticks "keep this wording".
    """

    rating = RatingChoiceField(queryset=desk_ratings(), widget=RatingRadioSelect, empty_label=None)
    headline = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"}))
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}))
    internal_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    public_note = forms.CharField(
        label="Public correction note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the corrected verdict: what changed and why.",
    )
    keep_wording = forms.BooleanField(
        label="Keep this wording",
        required=False,
        help_text="Tick to publish although the explanation names the previous rating.",
    )

    def __init__(self, *args, previous: Verdict, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        cast(RatingChoiceField, self.fields["rating"]).queryset = desk_ratings(previous.rating)

    def previous_label(self) -> str:
        return self.previous.rating.label if self.previous.rating_id and self.previous.rating else ""

    def names_old_rating(self, explanation: str) -> bool:
        label = self.previous_label()
        return bool(label) and re.search(rf"\b{re.escape(label)}\b", explanation, re.IGNORECASE) is not None

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        rating, explanation = cleaned.get("rating"), cleaned.get("explanation") or ""
        changed = rating is not None and rating.pk != self.previous.rating_id
        if rating is not None and changed and self.names_old_rating(explanation) and not cleaned.get("keep_wording"):
            self.add_error(
                "explanation",
                f"The explanation still says “{self.previous_label()}”, the previous rating; "
                f"the corrected rating is “{rating.label}”. Change the wording, or tick “Keep this wording”.",
            )
        return cleaned


class CorrectionEvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["source", "stance", "quote", "note", "position"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2})}


class CorrectionEvidenceFormSet(forms.BaseModelFormSet):
    """Rows copied from the published version must stay valid (or be deleted); the last row may stay blank."""

    copied = 0

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "empty_permitted": index is None or index >= self.copied}

    def evidence(self) -> list[Evidence]:
        """The corrected version's evidence, unsaved, from the rows kept."""
        deleted = set(self.deleted_forms)
        return [form.save(commit=False) for form in self.forms if form.cleaned_data and form not in deleted]


def correction_evidence_formset(admin_site, *, previous: Verdict, data=None) -> CorrectionEvidenceFormSet:
    """The corrected version's evidence, starting as a copy of the published version's, plus a blank row."""
    from django.contrib.admin.widgets import AutocompleteSelect

    initial = [
        {
            "source": item.source_id,
            "stance": item.stance,
            "quote": item.quote,
            "note": item.note,
            "position": item.position,
        }
        for item in previous.evidence.all()
    ]
    FormSet = cast(
        type[CorrectionEvidenceFormSet],
        forms.modelformset_factory(
            Evidence,
            form=CorrectionEvidenceForm,
            formset=CorrectionEvidenceFormSet,
            extra=len(initial) + 1,
            can_delete=True,
            widgets={"source": AutocompleteSelect(Evidence._meta.get_field("source"), admin_site)},
        ),
    )
    FormSet.copied = len(initial)
    return FormSet(data, queryset=Evidence.objects.none(), initial=initial, prefix="evidence")


class VerdictAdminForm(VersionedModelForm):
    """The verdict as its reviewer writes it. ``submitting``: the person asked to submit it too."""

    rating = RatingChoiceField(
        queryset=Rating.objects.all(), widget=RatingRadioSelect, required=False, empty_label=None
    )
    submitting = False

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "explanation", "internal_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rating" in self.fields:
            cast(RatingChoiceField, self.fields["rating"]).queryset = desk_ratings(
                self.instance.rating if self.instance.rating_id else None
            )

    def clean(self):
        cleaned = super().clean()
        claim = cleaned.get("claim")
        if self.instance.pk is None and claim is not None:
            # Lock the claim as the save will: a colleague starting a verdict for it at the
            # same moment is then seen here, and refused on the form with its input kept.
            claim = type(claim).objects.select_for_update().get(pk=claim.pk)
            try:
                check_no_current_verdict(claim)
            except WorkflowError as error:
                raise ValidationError(str(error), code="current_verdict_exists") from error
        if self.submitting:
            preview = Verdict(
                rating=cleaned.get("rating"),
                headline=cleaned.get("headline") or "",
                explanation=cleaned.get("explanation") or "",
            )
            # Evidence is the inline formset's to check (EvidenceFormSet).
            for name, what in missing_for_submission(preview).items():
                if name in self.fields:
                    self.add_error(name, f"Needed before the verdict can be submitted: {what}.")
        return cleaned


class EvidenceFormSet(forms.BaseInlineFormSet):
    """A verdict's evidence; submitting needs settings.FACTCHECK_SUBMIT_MIN_EVIDENCE pieces of it."""

    submitting = False

    def clean(self):
        super().clean()
        if not self.submitting:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("source")
        ]
        needed = settings.FACTCHECK_SUBMIT_MIN_EVIDENCE
        if len(kept) < needed:
            raise ValidationError(
                "Needed before the verdict can be submitted: at least %(needed)s piece%(s)s of evidence "
                "(add a source below).",
                params={"needed": needed, "s": "" if needed == 1 else "s"},
                code="evidence_required",
            )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, each checked like a single FileField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data] if data else []
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [single(item, initial) for item in items]


class ClaimReviewImportForm(forms.Form):
    """Files of ClaimReview to check (dry run) before anything is written."""

    # A declared field: the form's metaclass moves it into base_fields, so Form.files stays.
    files = MultipleFileField(  # type: ignore[assignment]
        label="ClaimReview files",
        help_text="JSON or JSON-LD (single reviews, lists, DataFeeds, Google Fact Check Tools exports), "
        "fact-check pages saved as HTML, or CSV with one review per row.",
        widget=MultipleFileInput(attrs={"accept": ".json,.jsonld,.html,.htm,.csv"}),
    )
    publisher_name = forms.CharField(
        label="Fact-checker",
        max_length=200,
        required=False,
        help_text="Credited for reviews that name no author.",
    )
    date_order = forms.ChoiceField(
        label="Numeric dates",
        required=False,
        choices=[
            ("", "Read only when the order is certain"),
            ("day", "Day first (03/04/2024 is 3 April)"),
            ("month", "Month first (03/04/2024 is March 4)"),
        ],
        help_text="How to read dates such as 03/04/2024; ISO dates and month names are always read.",
    )
    language = forms.CharField(
        label="Language",
        max_length=35,
        required=False,
        help_text="The reviews' language (e.g. es) when the data does not say.",
    )
    skip_invalid = forms.BooleanField(
        label="Skip invalid records",
        required=False,
        help_text="Import the valid records and list the others. Otherwise one invalid record stops the import.",
    )

    def import_options(self) -> dict:
        """The import's options from the cleaned form (kept in the session until confirmed)."""
        order = self.cleaned_data.get("date_order")
        return {
            "publisher_name": self.cleaned_data["publisher_name"],
            "skip_invalid": self.cleaned_data["skip_invalid"],
            "day_first": True if order == "day" else False if order == "month" else None,
            "language": self.cleaned_data.get("language", "").strip(),
        }

    def clean_files(self):
        files = self.cleaned_data["files"]
        wrong = [upload.name for upload in files if Path(upload.name).suffix.lower() not in SUFFIXES]
        if wrong:
            raise ValidationError(
                "Only .json, .jsonld, .html, .htm and .csv files can be imported: %(names)s",
                params={"names": ", ".join(wrong)},
            )
        limit = settings.FACTCHECK_IMPORT_MAX_BYTES
        if sum(upload.size for upload in files) > limit:
            raise ValidationError(
                "These files are larger than %(limit)s MB together. Import them with "
                "manage.py import_claimreview instead.",
                params={"limit": limit // (1024 * 1024)},
            )
        return files
