"""`techmarket analyse "TEXT"`: show how the search analyser cuts a text (to tune the dictionary)."""

from django.core.management.base import BaseCommand

from techmarket.matching.services.text import analyse, normalise, segment


class Command(BaseCommand):
    help = "Show the normalised text, the segmented words and the index terms of TEXT."

    def add_arguments(self, parser):
        parser.add_argument("text")

    def handle(self, *args, **options):
        self.stdout.write(f"normalised: {normalise(options['text'])}")
        self.stdout.write(f"words:      {' / '.join(segment(options['text']))}")
        self.stdout.write(f"terms:      {' / '.join(analyse(options['text']))}")
