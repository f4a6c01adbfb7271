"""Import schema.org ClaimReview from files or folders: .json, .jsonld, .html and .csv.

    manage.py import_claimreview feeds/ page.html reviews.csv [--dry-run] [--skip-invalid]
        [--publisher-name NAME] [--ratings aliases.json] [--day-first | --month-first]
        [--language TAG]

See the package claims.importing for what is accepted and README ("Importing ClaimReview") for the
CSV columns. One invalid record refuses the whole import unless --skip-invalid is given.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.importing import ImportRefused, Input, import_claimreview
from claims.models import Rating


class Command(BaseCommand):
    help = "Import ClaimReview (JSON-LD files and feeds, fact-check pages, CSV) as published verdicts."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders of .json, .jsonld, .html and .csv files.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything; write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid records and report the others."
        )
        parser.add_argument(
            "--publisher-name", default="", help="The fact-checker to credit when a record names no author."
        )
        order = parser.add_mutually_exclusive_group()
        order.add_argument(
            "--day-first", action="store_true", help="Read numeric dates such as 03/04/2024 as day/month/year."
        )
        order.add_argument(
            "--month-first", action="store_true", help="Read numeric dates such as 03/04/2024 as month/day/year."
        )
        parser.add_argument(
            "--language", default="", help="The reviews' language (BCP 47, e.g. es) when the data does not say."
        )
        parser.add_argument(
            "--ratings",
            metavar="FILE",
            help='JSON object of extra rating labels and the ratings they mean: {"Engañoso": "mostly-false"}.',
        )

    def handle(
        self, *args, paths, dry_run, skip_invalid, publisher_name, ratings, day_first, month_first, language, **options
    ):
        try:
            inputs = Input.from_paths(paths)
        except (FileNotFoundError, PermissionError) as error:
            raise CommandError(str(error)) from error
        if not inputs:
            raise CommandError("No .json, .jsonld, .html or .csv files found in the paths given.")
        aliases = self._aliases(ratings) if ratings else {}
        with tqdm(unit=" reviews", disable=not sys.stderr.isatty(), file=sys.stderr, desc="Reading") as bar:
            try:
                summary = import_claimreview(
                    inputs,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    publisher_name=publisher_name,
                    day_first=True if day_first else False if month_first else None,
                    language=language.strip(),
                    aliases=aliases,
                    progress=bar.update,
                )
            except ImportRefused as refused:
                for line in refused.summary.lines():
                    self.stderr.write(line)
                raise CommandError(
                    f"{len(refused.summary.errors)} invalid record(s): nothing was imported. "
                    "Fix them, or import the rest with --skip-invalid."
                ) from refused
        for line in summary.lines():
            self.stdout.write(line)

    @staticmethod
    def _aliases(path: str) -> dict[str, str]:
        try:
            with open(path, encoding="utf-8") as handle:
                aliases = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"--ratings {path}: {error}") from error
        if not isinstance(aliases, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
        ):
            raise CommandError(f"--ratings {path}: expected a JSON object of label → rating slug.")
        slugs = set(Rating.objects.values_list("slug", flat=True))
        unknown = sorted({slug for slug in aliases.values() if slug not in slugs})
        if unknown:
            raise CommandError(
                f"--ratings {path}: no rating with slug {', '.join(map(repr, unknown))}. "
                f"The desk's ratings are: {', '.join(sorted(slugs))}."
            )
        return aliases
