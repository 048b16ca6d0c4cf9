"""Processes on one database see each other's edits: two processes sharing a node's index (one of them its
writer, following the database from a thread) and a third with a node of its own, as a second machine of a
PostgreSQL deployment would be (on SQLite, a file copy of the test database; on PostgreSQL, the test database
itself, restored as it was before the test ends)."""

import json
import subprocess
import sys
import time
import uuid

import pytest

from tests import subprocess_db
from tests.matching.test_node_index import unique_word

database_template, process_env = subprocess_db.database_template, subprocess_db.process_env  # fixtures

PROCESS = r"""
import json, sys
import django
django.setup()
from techmarket.catalogue.models import Listing
from techmarket.matching.models import SearchDocument
from techmarket.matching.services.engine import get_engine, node_index
from techmarket.matching.services.search import search

get_engine()
print(json.dumps({"ready": True, "writer": node_index().writer is not None}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    answer = {}
    if command["do"] == "search":
        answer["found"] = [h.reference for h in search(command["query"], limit=20, mode="keyword").hits]
    elif command["do"] == "describe":
        listing = Listing.objects.get(reference=command["reference"])
        listing.description = command["description"]
        listing.save()
    elif command["do"] == "create":
        listing = Listing.objects.create(reference=command["reference"], kind="offer", title=command["title"],
                                         description=command["title"], status="published")
        answer["id"] = listing.pk
    elif command["do"] == "delete":
        listing = Listing.objects.get(reference=command["reference"])
        listing.delete()
        SearchDocument.objects.filter(listing_id=listing.pk).delete()  # the tombstone, left by no test
    elif command["do"] == "description":
        answer["description"] = Listing.objects.get(reference=command["reference"]).description
    print(json.dumps(answer, ensure_ascii=False), flush=True)
"""


class Process:
    def __init__(self, env: dict):
        self.popen = subprocess.Popen([sys.executable, "-c", PROCESS], env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
        self.hello = json.loads(self.popen.stdout.readline())

    def ask(self, **command) -> dict:
        self.popen.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.popen.stdin.flush()
        line = self.popen.stdout.readline()
        assert line, "the process ended"
        return json.loads(line)

    def finds(self, query: str, reference: str, deadline: float = 15.0) -> bool:
        """Whether a keyword search finds `reference`, asked until it does or `deadline` seconds pass."""
        end = time.monotonic() + deadline
        while True:
            if reference in self.ask(do="search", query=query)["found"]:
                return True
            if time.monotonic() > end:
                return False
            time.sleep(0.1)

    def loses(self, query: str, reference: str, deadline: float = 15.0) -> bool:
        end = time.monotonic() + deadline
        while reference in self.ask(do="search", query=query)["found"]:
            if time.monotonic() > end:
                return False
            time.sleep(0.1)
        return True

    def close(self) -> None:
        self.popen.stdin.close()
        self.popen.wait(timeout=30)


@pytest.mark.django_db
def test_processes_see_each_others_edits(process_env, tmp_path):
    shared, own = tmp_path / "node-a", tmp_path / "node-b"
    env = process_env(TECHMARKET_SEARCH_FOLLOW="1", TECHMARKET_SEARCH_POLL="0.1", TECHMARKET_JOBS="inline")
    first = Process({**env, "TECHMARKET_SEARCH_DIR": str(shared)})
    second = Process({**env, "TECHMARKET_SEARCH_DIR": str(shared)})
    other_node = Process({**env, "TECHMARKET_SEARCH_DIR": str(own)})
    reference, word = "innovation/hightech/6", unique_word()
    original = first.ask(do="description", reference=reference)["description"]
    new = f"test/{uuid.uuid4().hex[:8]}"
    try:
        assert first.hello["writer"] and not second.hello["writer"]  # one writer per node
        assert other_node.hello["writer"]
        # An edit by the node's reader reaches the writer's index, and the other node's.
        second.ask(do="describe", reference=reference, description=f"{original}{word}")
        assert first.finds(word, reference) and second.finds(word, reference) and other_node.finds(word, reference)
        # A listing created on the other node, then deleted there: both appear and leave everywhere.
        other_node.ask(do="create", reference=new, title="Brelvane 膜分离装置")
        assert first.finds("Brelvane", new) and second.finds("Brelvane", new)
        other_node.ask(do="delete", reference=new)
        assert first.loses("Brelvane", new) and second.loses("Brelvane", new) and other_node.loses("Brelvane", new)
    finally:
        first.ask(do="describe", reference=reference, description=original)
        for process in (first, second, other_node):
            process.close()
