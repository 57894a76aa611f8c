from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "povexit.server"
    label = "server"
    verbose_name = "povexit team server"
    default_auto_field = "django.db.models.BigAutoField"
