"""Qinghai Open Technology Market (青海科技开放合作平台)."""

import os

# One BLAS thread per request: the web server's threads give the parallelism, and a multi-threaded
# matrix product racing the embedding model's OpenMP threads on two cores doubles search latency
# (docs/search-evaluation.md, "Benchmarks"). Must be set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
