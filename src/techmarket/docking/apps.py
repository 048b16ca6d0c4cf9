from django.apps import AppConfig


class DockingConfig(AppConfig):
    name = "techmarket.docking"
    verbose_name = "对接国家和合作平台"
