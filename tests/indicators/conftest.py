"""Fixtures of the indicator tests: the market helpers (organisations, registrars, make_contract) and a helper that
registers a contract bought in Qinghai from a seller outside it."""

import pytest

from techmarket.indicators.services.periods import current
from techmarket.market.services import registration as reg
from tests.market.conftest import (  # noqa: F401  (fixtures)
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    provincial_registrar,
    region,
    registry,
)


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def this_quarter(today):
    return current(today)


@pytest.fixture
def staff(make_user):
    """Two reviewers: one enters values, the other approves them."""
    return make_user("entering-reviewer", reviewer=True), make_user("approving-reviewer", reviewer=True)


@pytest.fixture
def absorb(make_contract, make_user, org, buyer_org, registry, provincial_registrar):  # noqa: F811
    """Register a contract with a Qinghai buyer (海西) and a seller in Beijing; returns the registration."""
    beijing = org("北京先进储能技术有限公司", "beijing")
    seller = make_user("beijing-seller", organisation=beijing)

    def make(technology="800000", total="1000000", contract_type="transfer"):
        contract = make_contract(seller, beijing, buyer_org, contract_type=contract_type, total=total,
                                 technology=technology)
        registration = reg.submit(seller, contract, registry("qinghai"), "北京技术市场管理办公室", f"EXT{contract.pk}")
        return reg.register(provincial_registrar, reg.accept(provincial_registrar, registration))

    return make
