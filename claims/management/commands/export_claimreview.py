"""Export every published verdict as a schema.org DataFeed of ClaimReview.

    manage.py export_claimreview [--output feed.json]

Written one review at a time, so the feed can be as large as the desk. The desk's name
and address (FACTCHECK_DESK_NAME, FACTCHECK_DESK_URL) are the author of its own reviews;
imported reviews keep their own author, address and rating.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from claims.choices import VerdictStatus
from claims.claimreview import verdicts_for_reviews, write_data_feed
from claims.models import Verdict


class Command(BaseCommand):
    help = "Write all published verdicts as a schema.org DataFeed of ClaimReview (JSON-LD)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="Where to write the feed (default: standard output)."
        )

    def handle(self, *args, output, **options):
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
        latest = published.aggregate(latest=Max("updated_at"))["latest"]
        verdicts = verdicts_for_reviews(published.order_by("id")).iterator(chunk_size=500)
        try:
            out = open(output, "wb") if output else self._stdout_bytes()  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"--output {output}: {error}") from error
        try:
            count = write_data_feed(out, verdicts, date_modified=latest)
        finally:
            if output:
                out.close()
        if output:
            self.stderr.write(f"{count} review(s) written to {output}.")

    def _stdout_bytes(self):
        """The command's standard output as a binary stream (call_command may give a text one)."""
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            return binary
        return _TextWriter(self.stdout)


class _TextWriter:
    def __init__(self, stream):
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode(), ending="")
