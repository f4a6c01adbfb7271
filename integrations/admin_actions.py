"""Admin actions other apps' admins use: export the selected (or all filtered) rows as CSV."""

from django.contrib import admin

from .csv_export import admin_export


@admin.action(description="Export selected rows as CSV", permissions=["view"])
def export_csv(modeladmin, request, queryset):
    return admin_export(queryset)
