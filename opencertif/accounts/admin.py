from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from opencertif.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "identifier", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "identifier", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "identifier", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "phone")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)
