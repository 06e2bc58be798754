from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "opencertif.people"
    label = "people"
    verbose_name = "Population de référence"
