from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verdicts"

    def ready(self) -> None:
        from factcheck import admin_widgets

        from . import signals  # noqa: F401  (connects the receivers)

        admin_widgets.install()


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the desk's site (a home page of what needs attention) as the default."""

    default = False  # named in INSTALLED_APPS; ClaimsConfig stays this module's default
    default_site = "claims.admin_site.DeskSite"
