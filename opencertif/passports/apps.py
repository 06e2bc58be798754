from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "opencertif.passports"
    label = "passports"
    verbose_name = "Passeport de compétences"
