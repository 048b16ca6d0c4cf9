from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MarketConfig(AppConfig):
    name = "techmarket.market"
    verbose_name = "技术交易"

    def ready(self):
        from techmarket.market.services.registries import sync_registries

        # The registries of data/market/registries.yaml that the database lacks, created after every migrate.
        post_migrate.connect(sync_registries, sender=self, dispatch_uid="techmarket-sync-registries")

        from techmarket.common import audit
        from techmarket.market.models import (
            Contract,
            DealAction,
            Inquiry,
            Registration,
            RegistrationAction,
            Registry,
            RegistryAction,
        )

        audit.register_actions(Registration, RegistrationAction, values=Registration.Status)
        audit.register_actions(Inquiry, DealAction)
        audit.register_actions(Contract, DealAction)
        audit.register_actions(Registry, RegistryAction)

        from django.db.models.signals import post_delete, post_save

        from techmarket.market.models import RegistryStaff
        from techmarket.market.services import history

        # Registry staff is a role: its grant and withdrawal are logged about the user.
        post_save.connect(history.registry_staff_saved, sender=RegistryStaff, dispatch_uid="techmarket-audit-staff")
        post_delete.connect(history.registry_staff_deleted, sender=RegistryStaff,
                            dispatch_uid="techmarket-audit-staff-deleted")
        audit.register_actions("accounts.User", {history.STAFF_GRANT: "授予登记机构工作人员",
                                                 history.STAFF_REVOKE: "撤销登记机构工作人员"})
