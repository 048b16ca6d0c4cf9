"""Production serving: gunicorn with deploy/gunicorn.conf.py (two worker processes) serves the home page and a
search page from the test database."""

import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests import subprocess_db

pytest.importorskip("gunicorn")
pytestmark = pytest.mark.django_db  # the test database exists (and holds the seed) before it is copied
database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures
CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_gunicorn_serves_pages_with_the_production_config(process_env):
    port = subprocess_db.free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "--workers", "2"],
                              env=process_env(BIND=f"127.0.0.1:{port}", TECHMARKET_SEARCH_FOLLOW="0"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        status, home = _get(base + "/", time.monotonic() + 60)
        assert status == 200 and "青海科技开放合作平台" in home
        status, results = _get(base + "/search/?" + urllib.parse.urlencode({"q": "盐湖提锂"}), time.monotonic() + 60)
        assert status == 200 and "锂" in results
    finally:
        server.send_signal(signal.SIGTERM)  # a graceful stop: the workers finish and the master exits
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output[-3000:]
    assert output.count("Booting worker") >= 2 and '"GET /search/?q=' in output
