import os

from django.core.wsgi import get_wsgi_application

from techmarket.bootstrap import prepare

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techmarket.settings")
prepare()  # the data directory and the secret key, before the settings are read
application = get_wsgi_application()
