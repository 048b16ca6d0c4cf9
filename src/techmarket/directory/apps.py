from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "techmarket.directory"
    verbose_name = "单位与联系人"
