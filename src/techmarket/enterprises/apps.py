from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "techmarket.enterprises"
    verbose_name = "企业服务"

    def ready(self):
        from techmarket.common import audit
        from techmarket.enterprises import rules  # noqa: F401  (registers the permissions)
        from techmarket.enterprises.models import (
            Checkup,
            CheckupAction,
            FinancingAction,
            FinancingNeed,
            PoolAction,
            PoolEntry,
            ProfileAction,
            Recognition,
            YearFigures,
        )

        audit.register_actions(Checkup, CheckupAction)
        audit.register_actions(FinancingNeed, FinancingAction)
        audit.register_actions(YearFigures, ProfileAction)
        audit.register_actions(Recognition, ProfileAction)
        audit.register_actions(PoolEntry, PoolAction)

        from techmarket.enterprises.services import points
        from techmarket.market.signals import registration_changed

        registration_changed.connect(points.on_registration_changed, dispatch_uid="enterprises.points")
