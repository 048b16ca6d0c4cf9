from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PolicyConfig(AppConfig):
    name = "techmarket.policy"
    verbose_name = "政策奖补"

    def ready(self):
        from techmarket.policy.services.data import sync_policy_data

        # The rules, programmes and budgets of data/policy, in step with the files after every migrate.
        post_migrate.connect(sync_policy_data, sender=self, dispatch_uid="techmarket-sync-policy-data")

        from techmarket.common import audit
        from techmarket.policy.models import Application, ApplicationAction

        audit.register_actions(Application, ApplicationAction, values=Application.Status)
        audit.register_actions("policy.Rule", {"retire": "停用（已从规则文件删除）"})

        # Each domain's sources of facts (`<app>/policy_facts.py`, policy.services.facts.register_source).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("policy_facts")
