from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "techmarket.common"
    verbose_name = "公共"
