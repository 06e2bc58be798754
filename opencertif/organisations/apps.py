from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "opencertif.organisations"
    label = "organisations"
