from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "techmarket.web"
    verbose_name = "网站"
