"""The WSGI entry point, as a serving process imports it."""

import json
import subprocess
import sys

import pytest

from tests import subprocess_db

pytestmark = pytest.mark.django_db  # the test database exists before it is copied
database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures

PROBE = """
import gc, json
before = len(gc.get_objects())
import techmarket.wsgi
import techmarket.web.views.search  # loaded by the URL patterns, before the freeze
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()), "before": before}))
"""


def test_the_loaded_application_is_frozen_out_of_the_cyclic_collector(process_env):
    done = subprocess.run([sys.executable, "-c", PROBE], env=process_env(), capture_output=True, text=True,
                          timeout=120, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # Django and every app's views are frozen; what the probe's own lines made afterwards is all that is tracked.
    assert out["frozen"] > 20_000, out
    assert out["tracked"] < 2_000, out
