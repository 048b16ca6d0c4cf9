"""Gunicorn, the production web server: `make serve-production` (README, "Production").

A process per core, so searches (the query embedding and the scoring are CPU work) run on every core at once,
and two threads in each for requests that wait on the database. A worker takes a connection only when one of
its threads is free (`worker_connections` = `threads`, so no keep-alive: a connection serves one request), and
the others wait in the kernel's listen queue, one queue for all workers, taken in order by whichever is free.
With more connections than threads, each worker queued the connections it had accepted behind its own busy
threads while another might be idle, and more searches shared the cores at once: at 16 clients in the bench's
mix the p95 was 234–268 ms with four threads a worker, 171–181 ms like this (docs/search-benchmarks.md).
Each process starts its own embedding worker on its first job (TECHMARKET_JOBS=process, the default); the
workers take turns, so batches use the cores once.
Every value can be overridden from the environment (or on gunicorn's command line, which wins).
"""

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
wsgi_app = "techmarket.wsgi:application"
workers = int(os.environ.get("WEB_WORKERS", max(2, cores)))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 2))
worker_connections = threads

# A request that takes longer than `timeout` is a stuck worker: it is killed and replaced. On a restart or a
# deployment (SIGHUP, SIGTERM) requests in flight get `graceful_timeout` to finish.
timeout = int(os.environ.get("WEB_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", 30))
keepalive = 0  # (no connection waits idle in a worker: nginx opens one per request, on loopback)

# The jitter keeps the workers from restarting all at once.
# A worker is replaced after this many requests (a guard against slow leaks; the bench finds no growth). A new
# worker starts cold: its answers, query embeddings and documents are learned again, and its first search loads
# the model. At 5,000 a busy node replaced each worker every minute or so (in `make bench`, during the first
# phase), so the guard is set where it costs little.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 100_000))
max_requests_jitter = max(1, max_requests // 10)

# Access log on stdout: client (the proxy's X-Forwarded-For first), request, status, size, milliseconds.
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# No control socket: nothing here uses gunicornc, and two servers on one host would share its default path.
control_socket_disable = True


# Prometheus with several worker processes (techmarket.ops.metrics): each process writes its counters under
# PROMETHEUS_MULTIPROC_DIR, emptied when the server starts; a worker's files are marked dead when it exits.
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
