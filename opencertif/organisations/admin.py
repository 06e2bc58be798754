from django.contrib import admin

from opencertif.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "commercial_name", "siret")
    search_fields = ("name", "commercial_name", "siret")
    readonly_fields = ("name_key",)
