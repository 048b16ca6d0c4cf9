from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "techmarket.experts"
    verbose_name = "专家库"

    def ready(self):
        from techmarket.common import audit
        from techmarket.experts.models import Assignment, Expert
        from techmarket.experts.services import assignment, profiles

        audit.register_actions(Expert, profiles.ACTION_LABELS, values=Expert.Status)
        audit.register_actions(Assignment, assignment.ACTION_LABELS)
