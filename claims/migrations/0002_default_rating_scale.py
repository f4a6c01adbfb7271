"""The default verdict scale: a five-step true-to-false axis and the off-axis verdicts a desk needs.

Desks edit labels, colours and descriptions in the admin; slugs stay stable because API
clients and ClaimReview consumers key on them.
"""

from django.db import migrations

DEFAULT_SCALE = [
    # (slug, label, value, colour, description)
    ("true", "True", 5, "#1a7f37", "The claim is accurate and nothing significant is missing."),
    (
        "mostly-true",
        "Mostly true",
        4,
        "#5a9e2f",
        "The claim is accurate but needs clarification or additional information.",
    ),
    (
        "half-true",
        "Half true",
        3,
        "#c99a06",
        "The claim is partially accurate but leaves out important details or takes things out of context.",
    ),
    (
        "mostly-false",
        "Mostly false",
        2,
        "#dd6b20",
        "The claim contains an element of truth but ignores facts that would give a different impression.",
    ),
    ("false", "False", 1, "#c62828", "The claim is not accurate."),
    (
        "disputed",
        "Disputed",
        None,
        "#7b4fa8",
        "Credible sources contradict each other and the available evidence does not settle the question.",
    ),
    (
        "unverifiable",
        "Unverifiable",
        None,
        "#6b7280",
        "The claim can be neither confirmed nor refuted with the evidence publicly available.",
    ),
    (
        "opinion",
        "Opinion",
        None,
        "#2b6cb0",
        "The statement is an opinion, prediction or value judgement, not a checkable statement of fact.",
    ),
]


def create_scale(apps, schema_editor):
    db = schema_editor.connection.alias
    Rating = apps.get_model("claims", "Rating")
    for position, (slug, label, value, colour, description) in enumerate(DEFAULT_SCALE, start=1):
        Rating.objects.using(db).get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "colour": colour,
                "description": description,
                "position": position,
            },
        )


def remove_scale(apps, schema_editor):
    db = schema_editor.connection.alias
    Rating = apps.get_model("claims", "Rating")
    Rating.objects.using(db).filter(slug__in=[row[0] for row in DEFAULT_SCALE], verdicts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(create_scale, remove_scale)]
