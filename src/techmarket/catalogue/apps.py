from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "techmarket.catalogue"
    verbose_name = "技术合作需求库"

    def ready(self):
        from techmarket.catalogue.models import Listing, ListingAction
        from techmarket.common import audit

        audit.register_actions(Listing, ListingAction, values=Listing.Status.choices + Listing.Grade.choices)
