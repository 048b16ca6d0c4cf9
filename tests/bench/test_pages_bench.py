"""bench/pages.py: it measures every user page of the URL confs (or says why not), and its measuring loop sends
exactly the requests asked for, on a local server."""

import http.server
import sys
import threading
from pathlib import Path

from django.urls import URLResolver, get_resolver, resolve

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import pages  # noqa: E402
from loadtest import Client  # noqa: E402

IDS = {"enterprise_org": 1, "institution_org": 2, "offered": "XQ-1", "not_inquired": "CG-2", "own": "XQ-3",
       "inquiry": 1, "contract": 1, "draft_contract": 2, "registration": 1, "registered": 2, "intent": 1,
       "notice": 1, "indicator": "contract-turnover", "submitted": "XQ-4", "application": 1,
       "listings": {"demand": "XQ-5", "offer": "CG-6", "talent": "RC-7", "platform": "PT-8"}}


def _route_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in ("admin/", "api/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern.url_patterns, inner)
        else:
            yield namespace + pattern.name


def test_every_user_page_is_measured_or_said_not_to_be():
    measured = {resolve(page.path.split("?")[0]).view_name for page in pages.pages(IDS)}
    exempt = set().union(*pages.NOT_MEASURED.values())
    routes = set(_route_names(get_resolver().url_patterns))
    unmeasured = routes - measured - exempt
    assert not unmeasured, f"add these routes to bench/pages.py, pages() or NOT_MEASURED: {sorted(unmeasured)}"
    assert measured & exempt == set()
    assert exempt <= routes  # no stale exemption


def test_page_names_are_unique():
    names = [page.name for page in pages.pages(IDS)]
    assert len(names) == len(set(names))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        type(self).hits += 1
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_measure_sends_the_warm_ups_and_the_repeats_shared_by_the_clients():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        figures = pages.measure([Client(base) for _ in range(3)], "/x", repeat=20)
    finally:
        server.shutdown()
    assert figures["n"] == 20 and figures["statuses"] == {200: 20}
    assert _Quiet.hits == 20 + pages.WARMUPS
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
