from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "techmarket.indicators"
    verbose_name = "指标监测"

    def ready(self):
        from techmarket.indicators.services.definitions import sync_indicators

        # data/indicators/indicators.yaml, in step with the database after every migrate.
        post_migrate.connect(sync_indicators, sender=self, dispatch_uid="techmarket-sync-indicators")

        from techmarket.common import audit
        from techmarket.indicators.models import IndicatorValue

        audit.register_actions(IndicatorValue, {"submitted": "录入数值", "approved": "审核通过", "rejected": "退回",
                                                "superseded": "被新值取代"}, values=IndicatorValue.Status)
