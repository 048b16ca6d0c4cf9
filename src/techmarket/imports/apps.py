from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "techmarket.imports"
    verbose_name = "汇编导入"

    def ready(self):
        from techmarket.catalogue.importers import loader
        from techmarket.common import audit
        from techmarket.imports.models import BatchAction, ImportBatch
        from techmarket.imports.services.batches import record_cli_import

        audit.register_actions(ImportBatch, BatchAction, values=ImportBatch.Status)
        loader.register_import_hook(record_cli_import)
