import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

from techmarket.bootstrap import prepare

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techmarket.settings")
prepare()  # the data directory and the secret key, before the settings are read
application = get_wsgi_application()

# What is loaded by now (Django and the apps) lives as long as the process. Frozen, it leaves the cyclic
# collector's generations, so a full collection walks only what is made later: 60–90 ms became ~15 ms at 100k
# listings, a pause any request could meet (docs/search.md, "Serving"). The views, their templates and the URL
# patterns load with the first request (importing them here would add most of a second to a process's start):
# frozen once it has been answered.
gc.freeze()


def _freeze_after_the_first_request(**kwargs) -> None:
    request_finished.disconnect(_freeze_after_the_first_request)
    gc.freeze()


request_finished.connect(_freeze_after_the_first_request, weak=False)
