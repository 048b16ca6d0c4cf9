from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    verbose_name = "账户"

    def ready(self):
        from techmarket.accounts.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
