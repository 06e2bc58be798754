from django.contrib import admin

from opencertif.organisations.models import (
    AccountRequest,
    Document,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "commercial_name", "siret", "kind")
    search_fields = ("name", "commercial_name", "siret")
    readonly_fields = ("name_key",)
    inlines = [MembershipInline]


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = ("pk", "name", "siret", "state", "created_at", "submitted_at")
    list_filter = ("state", "kind")
    search_fields = ("name", "siret")
    # The workflow writes the state: staff decide in /instruction/, not here.
    readonly_fields = ("state", "user", "organisation", "decided_by", "decided_at")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = ("state",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "expires_at", "accepted_at")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("kind", "original_name", "organisation", "account_request", "uploaded_at")
    readonly_fields = ("path", "sha256", "size", "content_type")
