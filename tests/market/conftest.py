"""Fixtures of the market tests: organisations in known places, registry staff, and a helper that records a
contract with its contract text, ready to be submitted."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.accounts.roles import REGISTRARS
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import Registry, RegistryStaff
from techmarket.market.services import contracts, deals
from techmarket.market.services.contracts import ContractInput, MilestoneInput, PartyInput

_counter = itertools.count(1)


def pdf_upload(text: str = "", name: str = "contract.pdf") -> SimpleUploadedFile:
    """A small file whose content is a PDF (unique unless `text` is given)."""
    body = text or f"contract text {next(_counter)}"
    return SimpleUploadedFile(name, f"%PDF-1.4\n% {body}\n%%EOF\n".encode(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def region(db):
    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def org(db, region):
    def make(name: str, region_code: str | None = None, kind: str = Organisation.Kind.ENTERPRISE) -> Organisation:
        return Organisation.objects.create(name=name, kind=kind, region=region(region_code) if region_code else None)

    return make


@pytest.fixture
def seller_org(org):
    """A company in Xining: registers at the Xining registry (or the provincial one)."""
    return org("西宁高原新材料科技有限公司", "xining")


@pytest.fixture
def buyer_org(org):
    return org("格尔木盐湖化工有限公司", "haixi")


@pytest.fixture
def seller(make_user, seller_org):
    return make_user("seller", organisation=seller_org)


@pytest.fixture
def buyer(make_user, buyer_org):
    return make_user("buyer", organisation=buyer_org)


@pytest.fixture
def registry(db):
    return lambda code: Registry.objects.get(code=code)


@pytest.fixture
def make_registrar(make_user, registry):
    def make(username: str, registry_code: str):
        user = make_user(username)
        user.groups.add(Group.objects.get(name=REGISTRARS))
        RegistryStaff.objects.create(user=user, registry=registry(registry_code), certificate_number="国科登字2026001")
        return user

    return make


@pytest.fixture
def xining_registrar(make_registrar):
    return make_registrar("xining-registrar", "xining")


@pytest.fixture
def provincial_registrar(make_registrar):
    return make_registrar("provincial-registrar", "qinghai")


def record_contract(user, seller_org, buyer_org, *, contract_type="transfer", total="1000000", technology="800000",
                    signed_on=None, text="", title="盐湖提锂吸附剂技术转让", milestones=None, extra_parties=()):
    """Record a contract between a seller and a buyer (roles of the type's seller and buyer side) with a contract
    text (none if `text` is None); the seller registers."""
    from techmarket.market.services.rules import rules

    contract_type_rules = rules().type(contract_type)
    buyer_role = next(code for code, role in contract_type_rules.roles.items() if role.side == "buyer")
    data = ContractInput(
        title=title, contract_type=contract_type, signed_on=signed_on or datetime.date(2026, 3, 1),
        total_amount=Decimal(total), technology_amount=Decimal(technology),
        parties=[PartyInput(seller_org, contract_type_rules.registering_role),
                 PartyInput(buyer_org, buyer_role), *extra_parties],
        milestones=milestones or [MilestoneInput("payment", "首付款", Decimal(total) / 2),
                                  MilestoneInput("delivery", "交付技术资料")],
    )
    contract = contracts.create_contract(user, data)
    if text is not None:
        deals.store_attachment(user, pdf_upload(text), contract=contract, kind="contract-text")
    return contract


@pytest.fixture
def make_contract(db):
    """record_contract, for tests that have the database."""
    return record_contract


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("技术转让合同")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()
