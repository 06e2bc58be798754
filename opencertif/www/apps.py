from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "opencertif.www"
    label = "www"
    verbose_name = "Interface web"
