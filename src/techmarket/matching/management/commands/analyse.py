"""`techmarket analyse "TEXT"`: show how the search analyser cuts a text and which concepts it names (to tune the
dictionary, the synonyms and data/matching/concepts.yaml)."""

from django.core.management.base import BaseCommand

from techmarket.matching.services.text import analyse, concepts_in, normalise, segment


class Command(BaseCommand):
    help = "Show the normalised text, the segmented words, the index terms and the concepts of TEXT."

    def add_arguments(self, parser):
        parser.add_argument("text")

    def handle(self, *args, **options):
        self.stdout.write(f"normalised: {normalise(options['text'])}")
        self.stdout.write(f"words:      {' / '.join(segment(options['text']))}")
        self.stdout.write(f"terms:      {' / '.join(analyse(options['text']))}")
        self.stdout.write(f"concepts:   {' / '.join(concepts_in(options['text'])) or '(none)'}")
