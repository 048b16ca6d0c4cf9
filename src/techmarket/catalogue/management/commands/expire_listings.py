"""`techmarket expire`: mark listings whose validity date has passed as expired (run daily)."""

from django.core.management.base import BaseCommand

from techmarket.catalogue.services.lifecycle import expire_due


class Command(BaseCommand):
    help = "Expire published listings whose validity date has passed."

    def handle(self, *args, **options):
        expired = expire_due()
        for listing in expired:
            self.stdout.write(f"expired {listing.reference} (valid until {listing.valid_until})")
        self.stdout.write(f"{len(expired)} listing(s) expired.")
