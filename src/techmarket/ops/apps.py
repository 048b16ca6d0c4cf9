from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "techmarket.ops"
    verbose_name = "运行维护"
