from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "techmarket.common"
    verbose_name = "公共"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's notification topics (`<app>/notification_topics.py`), found as the admin finds admin.py:
        # the common package names no domain app.
        autodiscover_modules("notification_topics")
        # Each app's permissions (`<app>/rules.py`: django-rules predicates, techmarket.common.permissions).
        autodiscover_modules("rules")
