from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "opencertif.registry"
    label = "registry"
