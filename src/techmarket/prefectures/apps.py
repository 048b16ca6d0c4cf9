from django.apps import AppConfig


class PrefecturesConfig(AppConfig):
    name = "techmarket.prefectures"
    verbose_name = "市州技术市场"
