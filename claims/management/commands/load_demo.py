"""Load the demo desk (``fixtures/demo.json``) into an empty database, and only there.

``loaddata`` writes rows by primary key, so loading the fixture again would put every
demo row back as shipped: a verdict the desk retracted would be published again, a
claim someone edited would lose the edit. The demo is therefore loaded only when the
desk holds no fact-checking data yet; otherwise the command says so and changes nothing.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from claims.models import Appearance, Claim, Evidence, Speaker, Topic, Verdict
from sources.models import Publisher, Source

# Rows that are the desk's work. Ratings and groups come from data migrations, not the demo.
DESK_MODELS = (Publisher, Source, Speaker, Topic, Claim, Appearance, Verdict, Evidence)


class Command(BaseCommand):
    help = "Load the demo fixture into an empty desk; leave a desk that already has data alone."

    def handle(self, *args, **options) -> None:
        present = [str(model._meta.verbose_name_plural) for model in DESK_MODELS if model.objects.exists()]
        if present:
            self.stdout.write(
                self.style.WARNING(
                    f"The desk already holds data ({', '.join(present)}): the demo fixture was not loaded, "
                    "so nothing anyone changed was overwritten. To start the demo afresh, delete "
                    "db.sqlite3 (or point DATABASE_URL at an empty database) and run make demo again."
                )
            )
            return
        call_command("loaddata", "demo", verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("Loaded the demo desk from fixtures/demo.json."))
