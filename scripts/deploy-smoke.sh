#!/usr/bin/env bash
# Deploy the production layout on loopback and smoke-test it through the proxy (docs/operations.md).
#
# Starts a throw-away PostgreSQL (scripts/postgres-cluster.sh) and redis-server on free ports, prepares a data
# directory (migrate, collectstatic, the seed, the search index), starts exactly the processes of deploy/Procfile
# (gunicorn with two workers, the rq worker, the scheduler) with the production environment, and nginx from
# deploy/nginx.conf.template as a non-root user with a temporary prefix. Then, through nginx: health/live,
# health/ready, the home page, a search, a static file, /metrics (counters from both workers), the worker's
# embeddings and the scheduler's first runs (a pg_dump backup among them). Everything stops when it ends.
# Without nginx it says so and exits 0, except under CI (CI=true), where nginx is installed and this must run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "${CI:-}" = true ]; then echo "deploy-smoke: nginx is not installed" >&2; exit 1; fi
  echo "deploy-smoke: SKIPPED: nginx is not installed (apt-get install nginx-light); CI runs this"
  exit 0
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
free_port() { "$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/techmarket-deploy.XXXXXX")
chmod 755 "$work"
mkdir -p "$work/logs" "$work/nginx"
pids=()
names=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -f "$work/nginx/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  PGPORT_TEST=$pg_port scripts/postgres-cluster.sh stop "$work/pg"
  [ "${KEEP_DEPLOY_SMOKE:-}" = 1 ] && echo "deploy-smoke: kept $work" || rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port); redis_port=$(free_port); web_port=$(free_port); proxy_port=$(free_port)
DATABASE_URL=$(PGPORT_TEST=$pg_port scripts/postgres-cluster.sh start "$work/pg")
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/logs/redis.log" 2>&1 &
pids+=($!); names+=(redis)

# The production environment (README, "Production"), on loopback without TLS.
export DATABASE_URL REDIS_URL="redis://127.0.0.1:$redis_port/0" TECHMARKET_JOBS=rq TECHMARKET_CACHE=redis
export TECHMARKET_DATA_DIR="$work/data" DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost BEHIND_PROXY=true
export SECRET_KEY=$("$root/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export BIND="127.0.0.1:$web_port" WEB_WORKERS=2 PROMETHEUS_MULTIPROC_DIR="$work/prometheus"
export PATH="$root/.venv/bin:$PATH" DJANGO_SETTINGS_MODULE=techmarket.settings
unset TECHMARKET_SEARCH_DIR TECHMARKET_SEARCH_FOLLOW

echo "deploy-smoke: preparing the site in $work"
techmarket migrate --noinput -v0
techmarket collectstatic --noinput -v0
TECHMARKET_JOBS=none techmarket import >"$work/logs/import.log"  # embeddings: the worker's jobs, queued below
techmarket search_index >"$work/logs/search_index.log"
techmarket check --deploy --fail-level ERROR >"$work/logs/check.log" 2>&1

# Exactly the processes of deploy/Procfile.
while IFS= read -r line; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%%:*}; command=${line#*:}
  bash -c "exec $command" >"$work/logs/$name.log" 2>&1 &
  pids+=($!); names+=("$name")
  echo "deploy-smoke: started $name (pid $!):$command"
done < deploy/Procfile
techmarket shell -c "from techmarket.matching.services.jobs import enqueue_embedding; from techmarket.matching.models import SearchDocument; enqueue_embedding(list(SearchDocument.objects.filter(vector__isnull=True).values_list('listing_id', flat=True)))"

# nginx, not as root, with everything under its own prefix.
NGINX_PREFIX="$work/nginx" LISTEN="127.0.0.1:$proxy_port" UPSTREAM="127.0.0.1:$web_port" SERVER_NAME=localhost \
  envsubst '${NGINX_PREFIX} ${LISTEN} ${UPSTREAM} ${SERVER_NAME}' <deploy/nginx.conf.template >"$work/nginx/nginx.conf"
as_user=()
if [ "$(id -u)" = 0 ]; then chown -R nobody "$work/nginx"; as_user=(runuser -u nobody --); fi
"${as_user[@]}" "$nginx_bin" -t -q -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf"
"${as_user[@]}" "$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
  -g 'daemon off;' >"$work/logs/nginx.log" 2>&1 &
pids+=($!); names+=(nginx)

status=0
python - "http://127.0.0.1:$proxy_port" <<'PY' || status=$?
import json, re, subprocess, sys, time, urllib.error, urllib.parse, urllib.request

base = sys.argv[1]
started = time.monotonic()


def get(path, timeout=60):
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(what, check, limit):
    deadline = time.monotonic() + limit
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"deploy-smoke: FAILED: {what} within {limit} s")
        time.sleep(0.5)


def ok(what):
    print(f"deploy-smoke: ok  {what} ({time.monotonic() - started:.1f} s)")


wait_for("health/live through nginx", lambda: get("/health/live")[0] == 200, 90)
ok("GET /health/live 200")
ready = wait_for("health/ready 200", lambda: (r := get("/health/ready"))[0] == 200 and json.loads(r[2]), 120)
ok(f"GET /health/ready 200: {sorted(ready['checks'])} all ok")
status, headers, body = get("/", )
page = body.decode()
assert status == 200 and "青海科技开放合作平台" in page, status
assert headers.get("X-Request-ID"), headers
ok("GET / 200, 青海科技开放合作平台, X-Request-ID " + headers["X-Request-ID"])
status, _, body = get("/search/?" + urllib.parse.urlencode({"q": "盐湖提锂"}))
assert status == 200 and "锂" in body.decode(), status
ok("GET /search/?q=盐湖提锂 200")
static = re.search(r'(/static/[^"\']+\.css)', page).group(1)
status, headers, body = get(static)
assert status == 200 and body and "max-age" in headers.get("Cache-Control", ""), (static, status, headers)
ok(f"GET {static} 200 ({len(body)} bytes, Cache-Control: {headers['Cache-Control']})")
for _ in range(6):
    get("/search/?q=%E5%82%A8%E8%83%BD")  # spread over both workers
status, _, body = get("/metrics")
metrics = body.decode()
assert status == 200, status
searches = sum(float(l.rsplit(" ", 1)[1]) for l in metrics.splitlines()
               if l.startswith('techmarket_search_seconds_count{endpoint="page"}'))
assert searches >= 7, searches
for name in ("django_http_requests_total_by_view_transport_method_total", "techmarket_search_index_lag_seconds",
             "techmarket_job_backlog", "techmarket_registrations_deadline_at_risk"):
    assert name in metrics, name
ok(f"GET /metrics 200: {searches:.0f} searches counted across the workers, platform gauges present")
status, _, _ = get("/metrics", timeout=10)


def embedded():
    checks = json.loads(get("/health/ready")[2])["checks"]
    return checks["jobs"]["embeddings_pending"] == 0 and checks


checks = wait_for("the rq worker embedding the seed", embedded, 600)
ok("rq worker: every search document embedded")


def scheduled():
    out = subprocess.run(["techmarket", "shell", "-c",
                          "import json; from techmarket.ops.models import ScheduledRun; "
                          "print(json.dumps(dict(ScheduledRun.objects.values_list('job', 'status'))))"],
                         capture_output=True, text=True, check=True).stdout
    runs = json.loads(out.strip().splitlines()[-1])
    return runs and all(s in ("done", "failed") for s in runs.values()) and runs


runs = wait_for("the scheduler's first runs", scheduled, 300)
assert all(s == "done" for s in runs.values()), runs
ok(f"scheduler: {len(runs)} jobs run by the worker: {', '.join(sorted(runs))}")
PY

# Every process of the layout still running (none crashed meanwhile).
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "deploy-smoke: FAILED: ${names[$i]} exited early; its log:"; tail -n 40 "$work/logs/${names[$i]}.log"; status=1
  fi
done
ls "$work/data/backups"/techmarket-*/SHA256SUMS >/dev/null 2>&1 || { echo "deploy-smoke: FAILED: no backup made"; status=1; }
if [ "$status" != 0 ]; then
  for name in "${names[@]}"; do echo "--- $name"; tail -n 30 "$work/logs/$name.log"; done
  tail -n 20 "$work/nginx/error.log" 2>/dev/null
  exit "$status"
fi
echo "deploy-smoke: passed"
