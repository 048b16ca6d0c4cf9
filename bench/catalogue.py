"""The synthetic catalogues of the benchmarks: the 177 seed listings plus listings recombined from them.

Each size gets its own SQLite database under var/bench/<size>/ (kept between runs; a new GENERATOR_VERSION
or --rebuild makes it again): titles from a place, a seed title's core and a suffix; descriptions from
sentences of one to three seed listings of mostly the same field; organisations, fields, modes and kinds
taken from the seed's; a share of the listings also carry rare words (variety names, model codes) so that
the vocabulary grows with the catalogue as a real one would.

Embedding 100k passages with the real model takes over an hour, so a synthetic listing's vector is the
normalised weighted mix of the real embeddings of its source seed listings plus small Gaussian noise.
Rows are inserted in bulk (no signals): listings, their organisation and mode links, and their search
documents with the same terms and meta as documents.document_values produces (checked on a sample).
"""

import hashlib
import json
import random
import re
import shutil
import time
import uuid
from pathlib import Path

from common import PROJECT_DIR, Timer, log, migrate

BENCH_DIR = PROJECT_DIR / "var" / "bench"
GENERATOR_VERSION = 5  # bump when the synthetic catalogue changes: cached databases are then rebuilt
SYNTHETIC_MODEL = "synthetic: mix of seed vectors + noise"
NOISE = 0.02  # per-dimension standard deviation of the noise added to a mixed vector (before normalising)

PLACES = ["", "", "", "青海", "西宁", "海东", "海西州", "海南州", "海北州", "黄南州", "玉树州", "果洛州",
          "柴达木", "格尔木", "德令哈", "三江源", "环青海湖", "高原", "高寒地区", "青藏高原"]
SUFFIXES = ["", "", "关键技术研究", "技术集成与示范", "研究与示范", "产业化示范", "推广应用", "技术研发",
            "工程示范", "技术引进与转化", "标准化生产示范", "平台建设"]
PRODUCT_PREFIXES = ["青杂", "青薯", "昆仑", "青稞", "青藜", "高原", "柴达木", "青海", "海东", "三江"]
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- the synthetic catalogue -------------------------------------------------------------------------

def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;！？])|\n|(?=[0-9０-９]+[、.．])|(?=（[0-9一二三四五六七八九十]+）)", text)
    return [p.strip() for p in parts if len(p.strip()) >= 6]


def _title_core(title: str) -> str:
    core = re.sub(r"(关键技术)?(研究|研发|开发)?(与|及)?(示范|推广|应用|产业化|集成)*$", "", title)
    core = re.sub(r"^(青海省?|柴达木|高原|青藏高原|基于)", "", core)
    return core if len(core) >= 4 else title


class Generator:
    """Synthetic listings recombined from the seed; deterministic for a given size."""

    def __init__(self, seed_rows: list[dict], organisations: list[dict], size: int):
        self.rng = random.Random(size)
        self.seed = seed_rows
        self.orgs = organisations
        self.by_field: dict[str, list[int]] = {}
        for i, row in enumerate(seed_rows):
            self.by_field.setdefault(row["top"], []).append(i)
        self.sentences = [_sentences(row["description"]) or [row["description"]] for row in seed_rows]
        self.rare_pool = size // 2  # distinct rare words shared by the catalogue

    def rare_word(self) -> str:
        k = self.rng.randrange(self.rare_pool)
        if k % 2:
            return f"{PRODUCT_PREFIXES[k % len(PRODUCT_PREFIXES)]}{k // 20 % 97 + 1}号"
        letters = CODE_LETTERS[k % 24] + CODE_LETTERS[k // 24 % 24]
        return f"{letters}{k % 9973}"

    def listing(self, i: int) -> dict:
        rng = self.rng
        primary = rng.randrange(len(self.seed))
        row = self.seed[primary]
        same_field = self.by_field.get(row["top"], [primary])
        others = [rng.choice(same_field) if rng.random() < 0.7 else rng.randrange(len(self.seed))
                  for _ in range(rng.choice((0, 1, 1, 2)))]
        sources = [primary] + [o for o in others if o != primary]
        weights = [0.7] + [0.3 / max(len(sources) - 1, 1)] * (len(sources) - 1) if len(sources) > 1 else [1.0]
        core, suffix = _title_core(row["title"]), rng.choice(SUFFIXES)
        if core.endswith("技术") and suffix.startswith("技术"):
            suffix = suffix[2:]
        title = f"{rng.choice(PLACES)}{core}{suffix}"
        sentences = rng.sample(self.sentences[primary], min(len(self.sentences[primary]), rng.randint(1, 4)))
        for other in sources[1:]:
            sentences += rng.sample(self.sentences[other], min(len(self.sentences[other]), rng.randint(1, 3)))
        rng.shuffle(sentences)
        if rng.random() < 0.4:
            sentences.append(f"已形成{self.rare_word()}等成果，并与{self.rare_word()}配套应用。")
        description = "".join(s if s[-1] in "。；;" else s + "。" for s in sentences)
        orgs = rng.sample(self.orgs, rng.choice((1, 1, 1, 2, 3)))
        return {
            "reference": f"bench/{i}",
            "kind": row["kind"] if rng.random() < 0.8 else rng.choice(("demand", "offer", "platform", "talent")),
            "title": title[:300],
            "description": description,
            "organisations": orgs,
            "organisations_raw": "、".join(o["name"] for o in orgs),
            "field_id": row["field_id"], "field": row["field"], "top": row["top"],
            "modes": row["modes"], "mode_ids": row["mode_ids"], "modes_raw": row["modes_raw"],
            "trl": row["trl"], "grade": row["grade"],
            "status": "published" if rng.random() < 0.9 else rng.choice(("in-talks", "contracted", "closed")),
            "sources": sources, "weights": weights,
        }


def _seed_rows() -> list[dict]:
    from techmarket.catalogue.models import Listing

    rows = []
    for listing in Listing.objects.select_related("field", "field__parent").prefetch_related("modes"):
        rows.append({
            "id": listing.pk, "reference": listing.reference, "kind": listing.kind, "title": listing.title,
            "description": listing.description, "field_id": listing.field_id,
            "field": listing.field.code if listing.field_id else "",
            "top": listing.field.top.code if listing.field_id else "",
            "modes": sorted(m.code for m in listing.modes.all()), "mode_ids": [m.pk for m in listing.modes.all()],
            "modes_raw": listing.modes_raw, "trl": listing.trl, "grade": listing.grade,
        })
    return rows


def _organisations() -> list[dict]:
    from techmarket.directory.models import Organisation

    out = []
    for org in Organisation.objects.select_related("region", "region__parent"):
        regions = []
        if org.region is not None:
            regions = [org.region.code] + ([org.region.parent.code] if org.region.parent_id else [])
        out.append({"id": org.pk, "name": org.name, "regions": regions})
    return out


def _seed_vectors(data_dir: Path):
    """Real embeddings of the seed listings, computed once and cached next to the databases."""
    import numpy as np

    from techmarket.matching.models import SearchDocument
    from techmarket.matching.services.documents import embedded_text
    from techmarket.matching.services.embeddings import MODEL_NAME, embed_passages, to_bytes

    cache = BENCH_DIR / "seed-vectors.npz"
    documents = list(SearchDocument.objects.select_related("listing").order_by("listing_id"))
    hashes = [d.text_hash for d in documents]
    vectors = None
    if cache.exists():
        stored = np.load(cache)
        if list(stored["hashes"]) == hashes:
            vectors = stored["vectors"]
    if vectors is None:
        log(f"  embedding the {len(documents)} seed listings with the real model (once)…")
        vectors = embed_passages([embedded_text(d.listing) for d in documents])
        np.savez(cache, hashes=np.array(hashes), vectors=vectors)
    for document, vector in zip(documents, vectors, strict=True):
        document.vector, document.vector_model = to_bytes(vector), MODEL_NAME
    SearchDocument.objects.bulk_update(documents, ["vector", "vector_model"])
    return {d.listing_id: v for d, v in zip(documents, vectors, strict=True)}


def build_catalogue(size: int, data_dir: Path) -> dict:
    """Import the seed and add synthetic listings up to `size`, with their search documents."""
    import numpy as np
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from techmarket.catalogue.importers.loader import import_file
    from techmarket.catalogue.models import Listing, ListingOrganisation
    from techmarket.matching.models import IndexState, SearchDocument
    from techmarket.matching.services.documents import EMBEDDED_DESCRIPTION_CHARS, document_values
    from techmarket.matching.services.embeddings import to_bytes
    from techmarket.matching.services.text import analyse, concepts_in

    timer = Timer()
    migrate()
    import_file(Path(settings.TECHMARKET_SEED_FILE))
    seed_vectors = _seed_vectors(data_dir)
    seed = _seed_rows()
    generator = Generator(seed, _organisations(), size)
    np_rng = np.random.default_rng(size)
    log(f"  seed imported in {timer.seconds:.0f} s; generating {size - len(seed)} synthetic listings…")
    state = IndexState.objects.first()
    seq = state.seq + 1
    now = timezone.now()
    batch = 2000
    analysis_seconds = 0.0
    for start in range(0, size - len(seed), batch):
        specs = [generator.listing(i) for i in range(start, min(start + batch, size - len(seed)))]
        with transaction.atomic():
            listings = Listing.objects.bulk_create([
                Listing(reference=s["reference"], kind=s["kind"], title=s["title"], description=s["description"],
                        organisations_raw=s["organisations_raw"], modes_raw=s["modes_raw"], field_id=s["field_id"],
                        field_auto=s["field"], trl=s["trl"], grade=s["grade"], status=s["status"],
                        published_at=now, source_section="bench")
                for s in specs])
            ListingOrganisation.objects.bulk_create([
                ListingOrganisation(listing=listing, organisation_id=org["id"], position=k,
                                    role="lead" if k == 0 else "partner")
                for listing, s in zip(listings, specs, strict=True) for k, org in enumerate(s["organisations"])])
            Listing.modes.through.objects.bulk_create([
                Listing.modes.through(listing_id=listing.pk, cooperationmode_id=mode_id)
                for listing, s in zip(listings, specs, strict=True) for mode_id in s["mode_ids"]])
            documents = []
            for listing, s in zip(listings, specs, strict=True):
                seed_ids = [seed[k]["id"] for k in s["sources"]]
                mix = sum(w * seed_vectors[sid] for w, sid in zip(s["weights"], seed_ids, strict=True))
                mix = mix + np_rng.normal(0, NOISE, mix.shape)
                vector = (mix / np.linalg.norm(mix)).astype(np.float32)
                t0 = time.perf_counter()
                terms = analyse(f"{s['title']} {s['title']} {s['description']} {s['organisations_raw']}")
                concepts = concepts_in(f"{s['title']} {s['description']}")
                analysis_seconds += time.perf_counter() - t0
                regions = sorted({code for org in s["organisations"] for code in org["regions"]})
                meta = {"reference": s["reference"], "kind": s["kind"], "title": s["title"], "status": s["status"],
                        "field": s["field"], "top": s["top"], "modes": s["modes"], "regions": regions,
                        "orgs": [org["id"] for org in s["organisations"]], "trl": s["trl"], "grade": s["grade"],
                        "concepts": concepts}
                embedded = f"{s['title']}。{s['description'][:EMBEDDED_DESCRIPTION_CHARS]}"
                documents.append(SearchDocument(
                    listing=listing, seq=seq, public=True, terms=" ".join(terms),
                    text=f"{s['title']}\n{s['description']}", meta=meta, vector=to_bytes(vector),
                    vector_model=SYNTHETIC_MODEL,
                    text_hash=hashlib.sha256(embedded.encode()).hexdigest()))
            SearchDocument.objects.bulk_create(documents)
        log(f"  {start + len(specs) + len(seed)}/{size} listings ({timer.seconds:.0f} s)")
    IndexState.objects.filter(pk=state.pk).update(seq=seq, generation=uuid.uuid4().hex)

    # The bulk rows must be what the signals would have written: compare a sample with document_values.
    sample = Listing.objects.filter(source_section="bench").order_by("?")[:25]
    for listing in sample:
        expected = document_values(listing)
        document = SearchDocument.objects.get(listing=listing)
        got = {"terms": document.terms, "text": document.text, "meta": document.meta, "text_hash": document.text_hash}
        for key, value in got.items():
            if expected[key] != value:
                raise SystemExit(f"synthetic document of {listing.reference} differs from document_values in {key}")
    info = {"size": size, "version": GENERATOR_VERSION, "build_seconds": round(timer.seconds, 1),
            "analysis_ms_per_doc": round(1000 * analysis_seconds / max(size - len(seed), 1), 3)}
    (data_dir / "built.json").write_text(json.dumps(info))
    return info


def ensure_catalogue(size: int, rebuild: bool) -> tuple[Path, dict, bool]:
    data_dir = BENCH_DIR / str(size)
    marker = data_dir / "built.json"
    info = json.loads(marker.read_text()) if marker.exists() else {}
    fresh = rebuild or info.get("version") != GENERATOR_VERSION or info.get("size") != size
    if fresh:
        for name in ("techmarket.sqlite3", "techmarket.sqlite3-journal", "techmarket.sqlite3-wal",
                     "techmarket.sqlite3-shm", "built.json"):
            (data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(data_dir / "search", ignore_errors=True)  # a node index of the old database
    return data_dir, info, fresh


