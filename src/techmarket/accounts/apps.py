from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    verbose_name = "账户"

    def ready(self):
        from techmarket.accounts.roles import ensure_roles

        # After every app: the permissions it names are created by their own apps' post_migrate.
        post_migrate.connect(ensure_roles, dispatch_uid="techmarket-ensure-roles")
