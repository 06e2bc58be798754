from django.apps import AppConfig


class PassagesConfig(AppConfig):
    name = "opencertif.passages"
    label = "passages"
    verbose_name = "Suivi des passages après leur dépôt"
