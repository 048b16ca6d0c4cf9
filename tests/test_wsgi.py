"""The WSGI entry point, as a serving process imports it."""

import json
import subprocess
import sys

import pytest

from tests import subprocess_db

pytestmark = pytest.mark.django_db  # the test database exists before it is copied
database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures

PROBE = """
import gc, io, json, sys
import techmarket.wsgi
out = {"frozen_at_start": gc.get_freeze_count(), "views_loaded": "techmarket.web.views.search" in sys.modules}
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health/live", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
           "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
statuses = []
body = techmarket.wsgi.application(environ, lambda status, headers: statuses.append(status))
b"".join(body)
body.close()  # the end of the request: request_finished
out.update(status=statuses[0], frozen_after=gc.get_freeze_count(),
           views_after="techmarket.web.views.search" in sys.modules)
print(json.dumps(out))
"""


def test_the_application_is_frozen_out_of_the_cyclic_collector_at_start_and_after_its_first_request(process_env):
    done = subprocess.run([sys.executable, "-c", PROBE], env=process_env(), capture_output=True, text=True,
                          timeout=120, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # Django and the apps at import; the views stay unloaded until a request needs them (a quick start).
    assert out["frozen_at_start"] > 20_000 and not out["views_loaded"], out
    # After the first request the URL patterns and every view module they import are frozen too.
    assert out["status"].startswith("200") and out["views_after"], out
    assert out["frozen_after"] > out["frozen_at_start"] + 5_000, out
