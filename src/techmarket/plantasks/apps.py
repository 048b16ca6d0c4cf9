from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlantasksConfig(AppConfig):
    name = "techmarket.plantasks"
    verbose_name = "行动方案任务调度"

    def ready(self):
        from techmarket.common import audit
        from techmarket.plantasks.models import ProgressReport, ReportAction, TaskUnit
        from techmarket.plantasks.services.definitions import sync_tasks

        # data/plantasks/tasks-2025.yaml, in step with the database after every migrate.
        post_migrate.connect(sync_tasks, sender=self, dispatch_uid="techmarket-sync-plantasks")
        audit.register_actions(TaskUnit, ReportAction)
        audit.register_actions(ProgressReport, ReportAction)
