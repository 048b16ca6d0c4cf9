from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    verbose_name = "账户"

    def ready(self):
        from techmarket.accounts.roles import ensure_roles

        # After every app: the permissions it names are created by their own apps' post_migrate.
        post_migrate.connect(ensure_roles, dispatch_uid="techmarket-ensure-roles")
        # After each app's permissions are created (auth's handler was connected first): their names in Chinese.
        from techmarket.accounts.signals import chinese_permission_names

        post_migrate.connect(chinese_permission_names, dispatch_uid="techmarket-chinese-permission-names")

        from django.db.models.signals import m2m_changed

        from techmarket.accounts import onboarding, signals
        from techmarket.accounts.models import User, VerificationRequest
        from techmarket.common import audit

        # Role grants and verification go into the audit log.
        m2m_changed.connect(signals.groups_changed, sender=User.groups.through, dispatch_uid="techmarket-audit-roles")
        audit.register_actions(User, {signals.GRANT: "授予角色", signals.REVOKE: "撤销角色", "verify": "核验账户",
                                      "unverify": "取消核验", onboarding.LINK: "关联单位"})

        audit.register_actions(VerificationRequest, onboarding.ACTION_LABELS, values=VerificationRequest.Status)
