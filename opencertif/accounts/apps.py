from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencertif.accounts"
    label = "accounts"
