"""Edits and deletions through the ORM, as users' saves make them, in a process of their own.

    .venv/bin/python bench/churn.py DATA_DIR [--edits 100] [--deletions 10] [--interval 0.2] [--seed 1]

Run by bench.py against its working copy of a benchmark database (never the cached original). Each edit
appends a new unique word (BX + 10 hexadecimal digits) to a published synthetic listing's title and saves
it; every tenth edit is followed by the deletion of a listing edited five edits before. After each commit it
prints one JSON line: {"kind": "edit"|"delete", "listing_id", "token", "t"} with t the commit's wall-clock
time, so the caller can time how long each change takes to become visible to search. Bounded: at most
edits + deletions changes, then it exits.
"""

import argparse
import json
import random
import time
import uuid
from pathlib import Path

from common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--deletions", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django(args.data_dir, jobs="none")

    from techmarket.catalogue.models import Listing

    rng = random.Random(args.seed)
    ids = list(Listing.objects.filter(source_section="bench", status="published").values_list("pk", flat=True))
    chosen = rng.sample(ids, args.edits)
    edited: list[tuple[int, str]] = []
    deletions = 0

    def emit(kind: str, listing_id: int, token: str) -> None:
        print(json.dumps({"kind": kind, "listing_id": listing_id, "token": token, "t": time.time()}), flush=True)

    for i, pk in enumerate(chosen):
        listing = Listing.objects.get(pk=pk)
        token = f"BX{uuid.uuid4().hex[:10].upper()}"
        listing.title = f"{listing.title[:280]}{token}"
        listing.save()
        emit("edit", pk, token)
        edited.append((pk, token))
        time.sleep(args.interval)
        if i % 10 == 9 and deletions < args.deletions and len(edited) > 5:
            victim, victim_token = edited[-6]
            Listing.objects.get(pk=victim).delete()
            emit("delete", victim, victim_token)
            deletions += 1
            time.sleep(args.interval)


if __name__ == "__main__":
    main()
