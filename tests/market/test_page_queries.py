"""Query counts of the registry's pages (bench/pages.py measures them; docs/page-benchmarks.md): the registrar's
registration page reads the examiner's registry once and the contract's parties once for all review flags."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techmarket.market.services import registration as reg


@pytest.fixture
def waiting(make_contract, seller, seller_org, buyer_org, registry):
    return reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("qinghai"))


def test_registration_page_for_the_registrar(client, waiting, provincial_registrar, django_assert_max_num_queries):
    client.force_login(provincial_registrar)
    url = reverse("market:registration", args=[waiting.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "market_registrystaff"' in s for s in sql) == 1  # staff_registry, once per request
    assert sum('FROM "market_contractparty"' in s and '"market_contractparty"."contract_id" IN' not in s
               and f'"market_contractparty"."contract_id" = {waiting.contract_id}' in s for s in sql) <= 1
    with django_assert_max_num_queries(26):  # 35 before (the flags read the parties per check)
        client.get(url)


def test_staff_registry_is_kept_per_user_object(provincial_registrar, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from techmarket.market.models import RegistryStaff
    from techmarket.market.services.registries import staff_registry

    assert staff_registry(provincial_registrar).code == "qinghai"
    with django_assert_num_queries(0):
        assert staff_registry(provincial_registrar).code == "qinghai"
    RegistryStaff.objects.filter(user=provincial_registrar).delete()
    assert staff_registry(get_user_model().objects.get(pk=provincial_registrar.pk)) is None  # the next request
