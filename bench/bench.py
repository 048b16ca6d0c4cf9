"""Benchmark search and matching on synthetic catalogues of 10k and 100k listings.

    .venv/bin/python bench/bench.py [--sizes 10000,100000] [--rebuild] [--json] [--no-http]

Each size gets its own SQLite database under var/bench/<size>/ (kept between runs; --rebuild makes it
again) holding the 177 seed listings plus synthetic ones made by recombining the seed: titles from a
place, a seed title's core and a suffix; descriptions from sentences of one to three seed listings of
mostly the same field; organisations, fields, modes and kinds taken from the seed's; a share of the
listings also carry rare words (variety names, model codes) so that the vocabulary grows with the
catalogue as a real one would.

Embedding 100k passages with the real model takes over an hour, so a synthetic listing's vector is the
normalised weighted mix of the real embeddings of its source seed listings plus small Gaussian noise.
The real model's throughput is measured separately on a sample of synthetic texts and extrapolated.
Rows are inserted in bulk (no signals): listings, their organisation and mode links, and their search
documents with the same terms and meta as documents.document_values produces (checked on a sample).

Each size is measured in a child process (a cold engine, its own settings): index build (get_engine from
cold, i.e. loading the SearchDocument rows), in-process search latency over ~200 varied queries
(fused, keyword and semantic; the query-embedding cache is cleared per mode so each query is embedded
once, as a new query would be), match latency (match_listing) over 50 listings, and the latency of the
search page over HTTP (waitress on 127.0.0.1, a free port, in a thread of the same process).
"""

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from common import PROJECT_DIR, Timer, log, migrate, percentile, setup_django

BENCH_DIR = PROJECT_DIR / "var" / "bench"
EVAL_QUERIES = PROJECT_DIR / "bench" / "eval" / "queries.yaml"
SIZES = (10_000, 100_000)
GENERATOR_VERSION = 4  # bump when the synthetic catalogue changes: cached databases are then rebuilt
SYNTHETIC_MODEL = "synthetic: mix of seed vectors + noise"
NOISE = 0.02  # per-dimension standard deviation of the noise added to a mixed vector (before normalising)
TARGETS = {"search_p95_ms": 20.0, "match_p95_ms": 100.0, "http_p50_ms": 100.0}  # at 100k, on 2 cores
N_QUERIES = 200
N_MATCHES = 50
N_HTTP = 60
N_EMBED_SAMPLE = 100

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
    from techmarket.matching.services.text import analyse

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
                analysis_seconds += time.perf_counter() - t0
                regions = sorted({code for org in s["organisations"] for code in org["regions"]})
                meta = {"reference": s["reference"], "kind": s["kind"], "title": s["title"], "status": s["status"],
                        "field": s["field"], "top": s["top"], "modes": s["modes"], "regions": regions,
                        "orgs": [org["id"] for org in s["organisations"]], "trl": s["trl"], "grade": s["grade"]}
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
        for name in ("techmarket.sqlite3", "techmarket.sqlite3-journal", "built.json"):
            (data_dir / name).unlink(missing_ok=True)
    return data_dir, info, fresh


# --- measurements ----------------------------------------------------------------------------------

def _queries(n: int, rng: random.Random) -> list[str]:
    """The judged evaluation queries, then short queries cut from listing titles, single characters and
    words the catalogue lacks, up to n."""
    import yaml

    from techmarket.catalogue.models import Listing
    from techmarket.matching.services.text import segment

    queries = [q["query"] for q in yaml.safe_load(EVAL_QUERIES.read_text(encoding="utf-8"))["queries"]]
    titles = list(Listing.objects.order_by("?").values_list("title", flat=True)[:400])
    extra = ["镁", "锂", "光", "草", "药", "鸡", "高原", "技术", "研究", "示范", "青海", "平台",
             "量子通信", "海水淡化", "无人机植保", "5G基站", "智慧城市大脑", "碳中和路径", "新材料", "青杂15号",
             "AB-1234", "青海 光伏", "盐湖 锂 镁"]
    queries += extra
    for title in titles:
        if len(queries) >= n:
            break
        words = [w for w in dict.fromkeys(segment(title)) if len(w) > 1]
        if words:
            queries.append("".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
    return queries[:n]


def _time(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def measure(size: int, data_dir: Path, info: dict, http: bool) -> dict:
    import resource

    from django.urls import NoReverseMatch, reverse

    from techmarket.catalogue.models import Listing
    from techmarket.matching.services import embeddings
    from techmarket.matching.services.documents import embedded_text
    from techmarket.matching.services.engine import get_engine, reset_engine
    from techmarket.matching.services.match import match_listing
    from techmarket.matching.services.search import search
    from techmarket.matching.services.text import normalise, vocabulary

    rng = random.Random(7)
    out = {"size": size, "built": info, "load_before": [round(x, 1) for x in os.getloadavg()],
           "omp": {k: v for k, v in os.environ.items() if k.startswith("OMP_")}}
    vocabulary()
    embeddings.embed_query("预热")  # loads the model, outside the timed parts
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reset_engine()
    timer = Timer()
    engine = get_engine()
    out["index_build_s"] = round(timer.seconds, 2)
    out["documents"] = engine.n_alive
    out["vocabulary"] = len(engine.base)
    out["engine_rss_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024)
    timer = Timer()
    get_engine()
    out["state_check_ms"] = round(timer.seconds * 1000, 2)

    log(f"  index built in {out['index_build_s']} s; searching…")
    queries = _queries(N_QUERIES, rng)
    out["queries"] = len(queries)
    for q in queries[:5]:
        search(q)  # warm-up: numpy, caches of the analysis
    # A new query is embedded once (~5 ms on an idle core); measured apart, then searches with the
    # embedding computed (cold: the cache is cleared first, as for queries never seen) and cached (warm:
    # the engine alone).
    embeddings._embed_query_cached.cache_clear()
    times = [_time(embeddings.embed_query, normalise(q)) for q in queries]
    out["embed_query_p50_ms"] = round(percentile(times, 50), 2)
    out["embed_query_p95_ms"] = round(percentile(times, 95), 2)
    for mode in ("fused", "keyword", "semantic"):
        embeddings._embed_query_cached.cache_clear()
        times = [_time(search, q, mode=mode) for q in queries]
        out[f"search_{mode}_p50_ms"] = round(percentile(times, 50), 2)
        out[f"search_{mode}_p95_ms"] = round(percentile(times, 95), 2)
        out[f"search_{mode}_max_ms"] = round(max(times), 2)
        if mode != "keyword":
            times = [_time(search, q, mode=mode) for q in queries]
            out[f"search_{mode}_warm_p50_ms"] = round(percentile(times, 50), 2)
            out[f"search_{mode}_warm_p95_ms"] = round(percentile(times, 95), 2)
    log(f"  search fused p95 {out['search_fused_p95_ms']} ms (engine alone {out['search_fused_warm_p95_ms']} ms); "
        "matching…")
    ids = list(Listing.objects.filter(status="published").order_by("?").values_list("pk", flat=True)[:N_MATCHES])
    listings = Listing.objects.in_bulk(ids)
    match_listing(listings[ids[0]])  # warm-up
    times = [_time(match_listing, listings[pk]) for pk in ids]
    out["match_p50_ms"] = round(percentile(times, 50), 2)
    out["match_p95_ms"] = round(percentile(times, 95), 2)

    log(f"  match p95 {out['match_p95_ms']} ms; embedding a sample with the real model…")
    texts = [embedded_text(listing) for listing in
             Listing.objects.filter(source_section="bench").order_by("?")[:N_EMBED_SAMPLE]]
    if texts:
        timer = Timer()
        for start in range(0, len(texts), 32):
            embeddings.embed_passages(texts[start: start + 32])
        per_doc = timer.seconds * 1000 / len(texts)
        out["embed_ms_per_doc"] = round(per_doc, 1)
        out["embed_10k_min"] = round(per_doc * 10_000 / 60_000, 1)
        out["embed_100k_min"] = round(per_doc * 100_000 / 60_000, 1)

    if http:
        out.update(_http(queries, reverse, NoReverseMatch))
    return out


def _http(queries: list[str], reverse, no_reverse_match) -> dict:
    from waitress.server import create_server

    from techmarket.wsgi import application

    try:
        path = reverse("search")
        note = ""
    except no_reverse_match:
        path = reverse("catalogue")
        note = "no /search/ page yet: measured /catalogue/?q="
    server = create_server(application, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}{path}?q="
    from techmarket.matching.services import embeddings

    try:
        for q in queries[:3]:  # warm-up: templates, connections
            urllib.request.urlopen(base + urllib.parse.quote(q), timeout=30).read()
        embeddings._embed_query_cached.cache_clear()  # each query new to the server, as in use
        times, statuses = [], set()
        for q in queries[:N_HTTP]:
            start = time.perf_counter()
            with urllib.request.urlopen(base + urllib.parse.quote(q), timeout=30) as response:
                response.read()
                statuses.add(response.status)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        server.close()
    return {"http_path": path, "http_note": note, "http_requests": len(times), "http_statuses": sorted(statuses),
            "http_p50_ms": round(percentile(times, 50), 2), "http_p95_ms": round(percentile(times, 95), 2)}


def child(size: int, rebuild: bool, http: bool, build_only: bool = False) -> None:
    data_dir, info, fresh = ensure_catalogue(size, rebuild)
    os.environ["TECHMARKET_PLAIN_STATIC"] = "1"  # no collectstatic manifest in the bench data directory
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    setup_django(data_dir, jobs="none")
    if fresh:
        log(f"Building the {size:,}-listing catalogue in {data_dir}…")
        info = build_catalogue(size, data_dir)
    else:
        migrate()
    if build_only:
        print(json.dumps(info))
        return
    result = measure(size, data_dir, info, http)
    result["fresh_build"] = fresh
    result["load_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result))


# --- the report ------------------------------------------------------------------------------------

def report(results: list[dict]) -> None:
    omp = ", ".join(f"{k}={v}" for k, v in sorted(results[0]["omp"].items())) or "OMP_* unset"
    print(f"Benchmark: synthetic catalogues recombined from the 177 seed listings; {os.cpu_count()} CPU cores; {omp}")
    print(f"Vectors of synthetic listings: {SYNTHETIC_MODEL} (the real model is timed on a sample below).")
    rows = [
        ("database build (s)", lambda r: f"{r['built'].get('build_seconds', 0):.0f}{'' if r['fresh_build'] else '*'}"),
        ("index build: get_engine cold (s)", lambda r: f"{r['index_build_s']:.1f}"),
        ("indexed documents / vocabulary", lambda r: f"{r['documents']:,} / {r['vocabulary']:,}"),
        ("engine memory (MB, max RSS growth)", lambda r: f"{r['engine_rss_mb']}"),
        ("embed a new query p50 / p95 (ms)", lambda r: _pair(r, "embed_query")),
        ("search fused p50 / p95 (ms)", lambda r: _pair(r, "search_fused")),
        ("  engine alone (query embedded)", lambda r: _pair(r, "search_fused_warm")),
        ("search keyword p50 / p95 (ms)", lambda r: _pair(r, "search_keyword")),
        ("search semantic p50 / p95 (ms)", lambda r: _pair(r, "search_semantic")),
        ("  engine alone (query embedded)", lambda r: _pair(r, "search_semantic_warm")),
        ("match_listing p50 / p95 (ms)", lambda r: _pair(r, "match")),
        ("search page over HTTP p50 / p95 (ms)", lambda r: _pair(r, "http") if "http_p50_ms" in r else "-"),
        ("load average before / after", lambda r: f"{r['load_before'][0]} / {r['load_after'][0]}"),
    ]
    print(f"{'':<38}" + "".join(f"{r['size']:>16,}" for r in results))
    for label, value in rows:
        print(f"{label:<38}" + "".join(f"{value(r):>16}" for r in results))
    print(f"(* database reused from an earlier run: its original build time; {N_QUERIES} queries per mode, "
          f"{N_MATCHES} listings matched, {N_HTTP} pages requested)")
    largest = max(results, key=lambda r: r["size"])
    print(f"Targets at {largest['size']:,} listings:")
    checks = [("in-process search p95 (fused, new queries)", largest["search_fused_p95_ms"], TARGETS["search_p95_ms"]),
              ("match_listing p95", largest["match_p95_ms"], TARGETS["match_p95_ms"])]
    if "http_p50_ms" in largest:
        checks.append((f"search page p50 ({largest['http_path']}?q=)", largest["http_p50_ms"], TARGETS["http_p50_ms"]))
    for label, value, target in checks:
        print(f"  {label:<44} {value:8.1f} ms  target <= {target:.0f} ms  {'OK' if value <= target else 'MISSED'}")
    if largest.get("http_note"):
        print(f"  note: {largest['http_note']}")
    if "embed_ms_per_doc" in largest:
        print(f"Real embedding throughput ({N_EMBED_SAMPLE} synthetic passages, batches of 32): "
              f"{largest['embed_ms_per_doc']:.1f} ms per listing; embedding 10k listings would take "
              f"{largest['embed_10k_min']:.0f} min, 100k {largest['embed_100k_min']:.0f} min.")


def _pair(result: dict, key: str) -> str:
    return f"{result[key + '_p50_ms']:.1f} / {result[key + '_p95_ms']:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="comma-separated catalogue sizes")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached benchmark databases")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-http", action="store_true", help="skip the search page measurement")
    parser.add_argument("--build-only", action="store_true", help="only build the catalogues")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rebuild, not args.no_http, args.build_only)
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        log(f"Catalogue of {size:,} listings…")
        command = [sys.executable, __file__, "--child", str(size)] + ["--rebuild"] * args.rebuild
        command += ["--no-http"] * args.no_http + ["--build-only"] * args.build_only
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.build_only:
        print(json.dumps(results))
        return
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        report(results)


if __name__ == "__main__":
    main()
