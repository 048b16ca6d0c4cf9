"""Structured logs: JSON lines with the request id (honoured from X-Request-ID or made), carried into background
jobs; no telephone number or e-mail address in any line; the audit-log export."""

import io
import json
import logging

import pytest
from django.core.management import call_command

from techmarket.common import request_id
from techmarket.ops.logs import ContactRedactionFilter, Formatter, RequestIdFilter, redact


def _handler() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(ContactRedactionFilter())
    return handler, stream


@pytest.mark.parametrize(("text", "secret"), [
    ("13912345678", "13912345678"), ("+86 13912345678", "13912345678"), ("0971-8123456", "8123456"),
    ("(0971)8123456", "8123456"), ("zhang.san@qhu.edu.cn", "zhang.san"),
    ("联系人张三 电话 0971-6123456-801 邮箱 a_b@example.com", "6123456")])
def test_contacts_are_removed(text, secret):
    assert secret not in redact(text) and "@" not in redact(text)


def test_numbers_that_are_not_contacts_stay():
    line = "listing CG-2026-0012 took 1234 ms, 177 rows, 2026-03-01, registration 2026110100000123"
    assert redact(line) == line


def test_a_line_is_json_with_the_request_id_and_no_contacts():
    handler, stream = _handler()
    logger = logging.getLogger("techmarket.test-logs")
    logger.addHandler(handler)
    try:
        with request_id.bound("req-42"):
            logger.warning("mail to %s failed (phone %s)", "li.si@example.org", "13800138000")
        try:
            raise ValueError("bad contact 13800138000")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{"))
    assert first["request_id"] == "req-42" and first["level"] == "WARNING"
    assert first["message"] == "mail to [email] failed (phone [phone])"
    assert "13800138000" not in stream.getvalue() and "example.org" not in stream.getvalue()
    assert "request_id" not in second and "[phone]" in second["exc_info"]


@pytest.mark.django_db
def test_the_request_id_is_honoured_or_made_and_logged(client):
    handler, stream = _handler()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get("/health/live", HTTP_X_REQUEST_ID="edge-abc-1")["X-Request-ID"] == "edge-abc-1"
        made = client.get("/health/live", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
        assert len(made) == 32 and made != "bad id with spaces"
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="edge-404")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "edge-404" and line["status"] == 404 and line["path"] == "/no-such-page/"


@pytest.fixture
def redis_url(tmp_path):
    import shutil
    import subprocess
    import time

    from tests import subprocess_db

    server_binary = shutil.which("redis-server")
    if not server_binary:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = subprocess_db.free_port()
    server = subprocess.Popen([server_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.django_db
def test_the_request_id_goes_with_a_job_to_the_rq_worker(settings, redis_url, caplog):
    from techmarket.matching.services.jobs import enqueue_embedding, rq_queue
    from techmarket.ops import schedule
    from techmarket.ops.models import ScheduledRun

    settings.TECHMARKET_JOBS, settings.REDIS_URL = "rq", redis_url
    with request_id.bound("req-embed-7"):
        enqueue_embedding([1])
    (job,) = rq_queue().jobs
    assert job.meta == {"request_id": "req-embed-7"}
    job.delete()

    run = schedule.enqueue(schedule.BY_NAME["expire-listings"], schedule.JOBS[0].slot(schedule.timezone.now()))
    assert ScheduledRun.objects.get(pk=run.pk).status == "queued"  # waiting for a worker
    worker = request_id.rq_worker_class()([rq_queue()], connection=rq_queue().connection)
    with caplog.at_level(logging.INFO, logger="techmarket.ops.schedule"):
        caplog.handler.addFilter(RequestIdFilter())
        worker.work(burst=True)
    run.refresh_from_db()
    assert run.status == "done" and "listing(s) expired" in run.output
    started = [r for r in caplog.records if r.getMessage() == "scheduled job expire-listings started"]
    assert started and started[0].request_id == run.request_id == f"sched-expire-listings-{run.pk}"


@pytest.mark.django_db
def test_audit_export_command_and_page(client, make_user, tmp_path):
    from django.contrib.auth.models import Permission
    from openpyxl import load_workbook

    from techmarket.catalogue.models import Listing
    from techmarket.common import audit

    listing = Listing.objects.first()
    audit.log_action(listing, "edit", None, reason="联系电话改为 13912345678", actor_label="import")
    out = io.StringIO()
    call_command("audit_export", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "时间,对象类型,对象,对象编号,操作,原值,新值,操作人,说明"
    assert "联系电话改为 [phone]" in text and "13912345678" not in text

    assert client.get("/ops/audit-export/").status_code == 302  # log in first
    clerk = make_user("clerk")
    client.force_login(clerk)
    assert client.get("/ops/audit-export/").status_code == 403
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    page = client.get("/ops/audit-export/")
    assert page.status_code == 200 and "操作记录导出" in page.content.decode()
    download = client.get("/ops/audit-export/", {"format": "xlsx"})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    path = tmp_path / "audit.xlsx"
    path.write_bytes(download.content)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]][:3] == ["时间", "对象类型", "对象"] and sheet.max_row >= 2
