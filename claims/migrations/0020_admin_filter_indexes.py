from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the claim list's filters at a million claims (claims.admin.filters).

    The topic filter's index is on the auto-created claim-topic table, which has no model
    of its own to declare it: a topic's claims, in claim order, without reading its rows.
    """

    dependencies = [
        ("claims", "0019_web_urls"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="verdict",
            index=models.Index(fields=["status", "rating", "claim"], name="claims_verdict_by_status"),
        ),
        migrations.RunSQL(
            "CREATE INDEX claims_claim_topics_by_topic ON claims_claim_topics (topic_id, claim_id)",
            reverse_sql="DROP INDEX claims_claim_topics_by_topic",
        ),
    ]
