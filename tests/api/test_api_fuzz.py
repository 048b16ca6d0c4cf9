"""Fuzzing the JSON API with schemathesis, from its own OpenAPI document, against the Django app in-process.

Every operation of /api/openapi.json gets generated requests, valid ones (positive) and, where it takes input,
invalid ones (negative), as an anonymous user, a verified member of an organisation and a reviewer (their
writes carry the session cookie and the CSRF token). Operations with a path parameter are also fuzzed with a
real one (a draft of the member's organisation, an organisation), so that writes reach the services.

Checks: no 5xx, the status code is documented for the operation, the content type and the body match the
documented schema, invalid input is refused (4xx). Generation is derandomized (same examples on every run)
and bounded: MAX_EXAMPLES per operation and mode. Each request runs in a savepoint that is rolled back, so
examples do not see each other.
"""

import json
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from techmarket.catalogue.models import Listing

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]  # invalid input (negative mode) is refused with a 4xx
DRAFT = {"kind": "demand", "title": "盐湖卤水提锂吸附剂中试放大", "description": "需要联合研发高选择性吸附剂。",
         "modes": ["joint-rd"], "trl": 4}


@contextmanager
def in_process_app():
    """Django's WSGI handler on the test's database connection: like the test client, it must not close the
    connection at the end of a request (that would end the test's transaction). A 500's traceback is in the
    captured log (django.request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def session_of(user) -> tuple[dict, dict]:
    """Cookies and headers of a logged-in session that may write: session cookie, CSRF cookie and header."""
    client = Client()
    client.force_login(user)
    token = get_random_string(32)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}


def fuzz_operation(operation, mode, cookies, headers, path_parameters) -> str | None:
    """Run MAX_EXAMPLES generated requests; the first failure's report, or None."""
    # The session's cookies and header are fixed parts of every case, so that negative runs never count
    # them as the invalid part of a request (they would then be wrongly expected to be refused).
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters, cookies=cookies,
                                     headers=headers)

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        with transaction.atomic():
            response = case.call()
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # no invalid request exists (e.g. a fixed path and nothing else to get wrong)
        return None
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup (request as curl, response), …
        notes = "\n".join(getattr(exc, "__notes__", []))
        return f"{operation.label} [{mode.value}]: {exc}\n{notes}"
    return None


def fuzz(cookies=None, headers=None, path_parameters=None) -> list[str]:
    failures = []
    with in_process_app() as app:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            runs = [(GenerationMode.POSITIVE, None)]
            if operation.path_parameters or operation.query or operation.body:
                runs.append((GenerationMode.NEGATIVE, None))
            fixed = {name: value for name, value in (path_parameters or {}).items()
                     if name in {p.name for p in operation.path_parameters}}
            if fixed:  # invalid input is refused before the path is looked up: negative runs would repeat
                runs.append((GenerationMode.POSITIVE, fixed))
            for mode, fixed_path in runs:
                failure = fuzz_operation(operation, mode, cookies, headers, fixed_path)
                if failure:
                    failures.append(failure)
    return failures


def report(failures: list[str]) -> str:
    return f"{len(failures)} failing operations:\n\n" + "\n\n".join(failures)


@pytest.fixture
def member_draft(login, member) -> Listing:
    response = login(member).post("/api/listings", data=json.dumps(DRAFT), content_type="application/json")
    assert response.status_code == 201, response.content
    return Listing.objects.get(reference=response.json()["reference"])


@pytest.fixture
def real_path_parameters(member_draft, qinghai_university) -> dict:
    return {"reference": member_draft.reference, "organisation_id": qinghai_university.pk}


@pytest.mark.long(50)
def test_fuzz_anonymous(real_path_parameters):
    failures = fuzz(path_parameters=real_path_parameters)
    assert not failures, report(failures)


@pytest.mark.long(50)
def test_fuzz_verified_member(member, real_path_parameters):
    cookies, headers = session_of(member)
    failures = fuzz(cookies, headers, real_path_parameters)
    assert not failures, report(failures)


@pytest.mark.long(50)
def test_fuzz_reviewer(reviewer, real_path_parameters):
    cookies, headers = session_of(reviewer)
    failures = fuzz(cookies, headers, real_path_parameters)
    assert not failures, report(failures)
