from django.apps import AppConfig


class DepositsConfig(AppConfig):
    name = "opencertif.deposits"
    label = "deposits"
    verbose_name = "Dépôts des passages de certification"
