from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opencertif.api"
    label = "api"
