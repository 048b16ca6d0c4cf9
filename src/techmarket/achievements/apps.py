from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "techmarket.achievements"
    verbose_name = "科技成果与成果评估"

    def ready(self):
        from techmarket.achievements.models import Achievement, Action, AnnualReport, Evaluation, PriceNotice
        from techmarket.achievements.services import pricing
        from techmarket.common import audit
        from techmarket.market.services import blockers

        audit.register_actions(Achievement, Action)
        audit.register_actions(Evaluation, Action, values=Evaluation.Status)
        audit.register_actions(PriceNotice, Action)
        audit.register_actions(AnnualReport, Action, values=AnnualReport.Status)
        # A contract on an achievement waits for its agreed-price notice (docs/achievements.md).
        blockers.register_registration_blocker(pricing.registration_blocker)
