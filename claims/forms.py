"""Admin forms: optimistic locking for edits, and the forms behind workflow transitions."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .importing import SUFFIXES
from .models import Rating, Verdict
from .services import ConflictError, WorkflowError, check_no_current_verdict, lock_current_version


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
        cleaned = super().clean()
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


class TransitionForm(forms.Form):
    """Confirmation of a workflow transition, with the text some transitions require."""

    def __init__(self, *args, text_field: tuple[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if text_field:
            name, label = text_field
            self.fields[name] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionForm(forms.Form):
    """A corrected version of a published verdict and the public note that explains it."""

    rating = RatingChoiceField(queryset=Rating.objects.all(), widget=forms.RadioSelect, empty_label=None)
    headline = forms.CharField(max_length=300)
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    internal_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    public_note = forms.CharField(
        label="Public correction note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the corrected verdict: what changed and why.",
    )


class VerdictAdminForm(VersionedModelForm):
    rating = RatingChoiceField(
        queryset=Rating.objects.all(), widget=forms.RadioSelect, required=False, empty_label=None
    )

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "explanation", "internal_notes"]

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
        return cleaned


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

    files = MultipleFileField(
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
    skip_invalid = forms.BooleanField(
        label="Skip invalid records",
        required=False,
        help_text="Import the valid records and list the others. Otherwise one invalid record stops the import.",
    )

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
