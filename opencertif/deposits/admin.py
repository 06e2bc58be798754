from django.contrib import admin

from opencertif.deposits.models import Delegation, DepositAccount


@admin.register(DepositAccount)
class DepositAccountAdmin(admin.ModelAdmin):
    list_display = ("id_client", "id_contract", "role", "organisation", "activated_at")
    list_filter = ("role",)
    search_fields = ("id_client", "id_contract", "organisation__name")
    raw_id_fields = ("organisation",)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("depositor", "certifier", "created_at", "revoked_at")
