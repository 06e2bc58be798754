from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opencertif.core"
    label = "core"
