"""The desk's admin site: Django's admin with a home page that says what needs attention.

Installed as the default admin site (``factcheck.apps.DeskAdminConfig``), so every
``admin.register`` lands here. The home's lists are read by ``claims.desk``.
"""

from django.contrib import admin

from . import desk


class DeskSite(admin.AdminSite):
    site_header = "Fact-check desk"
    site_title = "Fact-check desk"
    index_title = "Desk"
    index_template = "admin/desk_index.html"
    # The desk home is the way around; the lists get the screen's width.
    enable_nav_sidebar = False
    empty_value_display = "—"

    def index(self, request, extra_context=None):
        context = dict(extra_context or {})
        if request.user.has_perm("claims.view_claim"):
            context["desk_sections"] = desk.sections(request.user)
        return super().index(request, context)
