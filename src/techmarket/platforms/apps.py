from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "techmarket.platforms"
    verbose_name = "创新平台与团队"

    def ready(self):
        from techmarket.common import audit
        from techmarket.platforms.models import Assignment, Platform, RecordAction, Review, SpecialistAction, Team

        audit.register_actions(Platform, RecordAction, values=Review)
        audit.register_actions(Team, RecordAction, values=Review)
        audit.register_actions(Assignment, SpecialistAction)
