from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "techmarket.catalogue"
    verbose_name = "技术合作需求库"
