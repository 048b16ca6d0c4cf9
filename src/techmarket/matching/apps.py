from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "techmarket.matching"
    verbose_name = "检索与匹配"

    def ready(self):
        from django.db.models.signals import post_migrate

        from techmarket.catalogue.services import bulk
        from techmarket.matching import signals  # noqa: F401  (keeps the index in step with listings)
        from techmarket.matching.services.documents import BulkIndexWriter

        bulk.register(BulkIndexWriter())  # and with the importer's bulk writes
        from techmarket.matching.services.reference_data import sync_institutions

        post_migrate.connect(sync_institutions, sender=self, dispatch_uid="techmarket-sync-institutions")

        from techmarket.common import audit
        from techmarket.matching.models import CooperationIntent, IntentAction

        audit.register_actions(CooperationIntent, IntentAction, values=CooperationIntent.Status)
