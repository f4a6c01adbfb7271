from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verdicts"

    def ready(self) -> None:
        from factcheck import admin_widgets

        from . import signals  # noqa: F401  (connects the receivers)

        admin_widgets.install()
