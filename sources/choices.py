from django.db import models


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    REPORT = "report", "Report"
    BROADCAST = "broadcast", "Broadcast"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    SOCIAL_POST = "social_post", "Social media post"
    FACT_CHECK = "fact_check", "Fact-check"
    OTHER = "other", "Other"
