"""A contract's documents can be removed or replaced by the parties who may edit the contract, until it is submitted
for registration (issue 13, point 1). A removed document is kept as a record, marked withdrawn, logged, and no
longer the contract's text: the duplicate check compares the texts in force with other contracts' registrations,
so a wrong upload, once removed, no longer blocks the registration."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from techmarket.common.audit import history_for
from techmarket.common.models import AuditEntry
from techmarket.directory.models import Organisation, Region
from techmarket.market.models import Attachment, Contract, ContractParty, Milestone, Registration
from techmarket.market.services import contracts, deals
from techmarket.market.services import registration as reg
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError, TransitionError
from tests.market.concurrency import at_once, committed_db, postgres_only  # noqa: F401 (fixture)
from tests.market.conftest import pdf_upload

OTHER_TEXT = "去年与同一客户签订的另一份合同"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def remove_url(contract, document) -> str:
    return f"/market/contracts/{contract.pk}/documents/{document.pk}/remove/"


def replace_url(contract, document) -> str:
    return f"/market/contracts/{contract.pk}/documents/{document.pk}/replace/"


def section(html: str, element_id: str, end: str = "</ul>") -> str:
    start = html.index(f'id="{element_id}"')
    return html[start: html.index(end, start)]


@pytest.fixture
def other_registered(make_contract, seller, seller_org, buyer_org, registry, xining_registrar):
    """Another contract between the same organisations, registered with its own text."""
    other = make_contract(seller, seller_org, buyer_org, title="去年的技术服务合同", total="500000",
                          technology="400000", signed_on=datetime.date(2025, 5, 1), text=OTHER_TEXT)
    return reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, other, registry("xining"))))


@pytest.fixture
def contract(make_contract, seller, seller_org, buyer_org):
    """This year's contract, with no document yet."""
    return make_contract(seller, seller_org, buyer_org, title="盐湖提锂吸附剂技术转让", total="1200000",
                         technology="900000", text=None)


@pytest.fixture
def documents(contract, seller):
    """The wrong PDF (the other contract's text) uploaded first, then the right one."""
    wrong = deals.store_attachment(seller, pdf_upload(OTHER_TEXT, name="去年的合同.pdf"), contract=contract,
                                   kind="contract-text")
    right = deals.store_attachment(seller, pdf_upload("今年签订的合同", name="技术转让合同（签字版）.pdf"),
                                   contract=contract, kind="contract-text")
    return wrong, right


# The path a person takes ------------------------------------------------------------------------------------------

def test_wrong_pdf_then_right_pdf_then_remove_the_wrong_one_then_register(client, other_registered, contract, seller,
                                                                         registry, xining_registrar, media_root):
    client.force_login(seller)
    for upload in (pdf_upload(OTHER_TEXT, name="去年的合同.pdf"),
                   pdf_upload("今年签订的合同", name="技术转让合同（签字版）.pdf")):
        response = client.post(f"/market/contracts/{contract.pk}/upload/", {"file": upload, "kind": "contract-text"},
                               follow=True)
        assert messages_of(response) == ["附件已上传。"]
    wrong = contract.attachments.get(name="去年的合同.pdf")
    right = contract.attachments.get(name="技术转让合同（签字版）.pdf")

    # The wrong PDF is the other contract's registered text: a genuine duplicate while it is the contract's text.
    response = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry("xining").pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "重复登记" in page and "合同文本完全相同" in page and other_registered.number in page
    assert not Registration.objects.filter(contract=contract).exists()

    # The contract page offers to remove it; the party removes it.
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    assert remove_url(contract, wrong) in page and replace_url(contract, wrong) in page
    response = client.post(remove_url(contract, wrong), {"reason": "上传错误：误传了去年的合同"}, follow=True)
    assert response.redirect_chain == [(f"/market/contracts/{contract.pk}/", 302)]
    assert len(messages_of(response)) == 1 and messages_of(response)[0].startswith("已移除“去年的合同.pdf”（合同文本）")
    page = response.content.decode()
    assert "去年的合同.pdf" not in section(page, "current-documents")
    assert "技术转让合同（签字版）.pdf" in section(page, "current-documents")
    assert "去年的合同.pdf" in section(page, "withdrawn-documents")

    # Kept as a record, with who and when; the file too. Logged in the shared audit log, in the contract's history.
    wrong.refresh_from_db()
    assert wrong.withdrawn_at is not None and wrong.withdrawn_by == seller and wrong.replaced_by is None
    assert (media_root / wrong.file.name).exists()
    entry = AuditEntry.objects.get(action="document-withdrawn")
    assert entry.actor == seller and entry.object_id == contract.pk
    assert "去年的合同.pdf" in entry.reason and "上传错误" in entry.reason
    assert entry.data["document"] == {"attachment": wrong.pk, "name": "去年的合同.pdf", "kind": "contract-text",
                                      "sha256": wrong.sha256}
    assert entry.data["organisation"] == seller.organisation.name
    assert "移除附件" in section(page, "deal-history", "</table>")

    # The registration now submits, with the right text only.
    response = client.post(f"/market/contracts/{contract.pk}/register/", {"registry": registry("xining").pk})
    registration = Registration.objects.get(contract=contract)
    assert response.status_code == 302 and response.url == f"/market/registrations/{registration.pk}/"
    assert registration.document_sha256 == [right.sha256]

    # What the registrar examines links to the contract's current document, not the removed one.
    client.force_login(xining_registrar)
    page = client.get(f"/market/registrations/{registration.pk}/").content.decode()
    documents = section(page, "registration-documents")
    assert f"/market/attachments/{right.pk}/" in documents and "申请时提交" in documents
    assert f"/market/attachments/{wrong.pk}/" not in documents
    assert client.get(f"/market/attachments/{right.pk}/").status_code == 200
    # The registrar may examine, not change the documents.
    assert client.post(remove_url(contract, right)).status_code == 403


def test_a_replaced_document_is_replaced_in_one_step(client, other_registered, contract, documents, seller, buyer,
                                                     registry):
    wrong, right = documents
    client.force_login(buyer)  # either party may edit the contract, so either may replace its documents
    response = client.post(replace_url(contract, wrong),
                           {"file": pdf_upload("今年签订的合同（盖章版）", name="盖章版.pdf"), "reason": "换成盖章版"},
                           follow=True)
    assert messages_of(response) == ["已用“盖章版.pdf”替换“去年的合同.pdf”（合同文本）。"
                                     "原文件及替换记录保留在交易记录中。"]
    wrong.refresh_from_db()
    replacement = wrong.replaced_by
    assert wrong.withdrawn_by == buyer and replacement.name == "盖章版.pdf" and replacement.kind == "contract-text"
    assert set(contracts.contract_texts(contract)) == {right, replacement}
    assert history_for(contract).filter(action="document-replaced").count() == 1
    assert history_for(contract).filter(action="document-uploaded").count() == 2  # the two first uploads only
    # Sent again (the same form): nothing more is stored.
    response = client.post(replace_url(contract, wrong), {"file": pdf_upload("again", name="again.pdf")}, follow=True)
    assert messages_of(response) == ["文件“去年的合同.pdf”已被替换，未重复替换。"]
    assert contract.attachments.count() == 3
    assert reg.submit(seller, contract, registry("xining")).document_sha256 == sorted([right.sha256,
                                                                                       replacement.sha256])


def test_a_refused_replacement_file_changes_nothing(client, contract, documents, seller):
    wrong, _ = documents
    client.force_login(seller)
    response = client.post(replace_url(contract, wrong), {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 no pdf")},
                           follow=True)
    assert "不支持的文件类型" in messages_of(response)[0]
    wrong.refresh_from_db()
    assert wrong.withdrawn_at is None and contract.attachments.count() == 2
    assert not AuditEntry.objects.filter(action="document-replaced").exists()


def test_the_edit_page_removes_documents_too(client, contract, documents, seller):
    wrong, _ = documents
    client.force_login(seller)
    page = client.get(f"/market/contracts/{contract.pk}/edit/").content.decode()
    assert remove_url(contract, wrong) in page and replace_url(contract, wrong) in page
    response = client.post(remove_url(contract, wrong), {"next": "edit"}, follow=True)
    assert response.redirect_chain == [(f"/market/contracts/{contract.pk}/edit/", 302)]
    assert messages_of(response)[0].startswith("已移除“去年的合同.pdf”")
    assert "去年的合同.pdf" not in section(response.content.decode(), "current-documents")


# The duplicate check ------------------------------------------------------------------------------------------

def test_only_the_texts_in_force_are_compared(other_registered, contract, documents, seller):
    wrong, _ = documents
    assert [r for r, _ in reg.find_duplicates(contract)] == [other_registered]
    contracts.withdraw_document(seller, contract, wrong)
    assert reg.find_duplicates(contract) == []


def test_another_contracts_withdrawn_document_is_no_duplicate(make_contract, seller, seller_org, buyer_org, registry,
                                                             xining_registrar):
    # Contract A had this year's text uploaded by mistake, removed it and was registered with its own text.
    a = make_contract(seller, seller_org, buyer_org, title="A", total="300000", technology="1", text=None)
    mistaken = deals.store_attachment(seller, pdf_upload("合同 B 的文本"), contract=a, kind="contract-text")
    contracts.withdraw_document(seller, a, mistaken)
    deals.store_attachment(seller, pdf_upload("合同 A 的文本"), contract=a, kind="contract-text")
    reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, a, registry("xining"))))
    # Contract B, whose text that is, registers.
    b = make_contract(seller, seller_org, buyer_org, title="B", total="400000", technology="1", text="合同 B 的文本")
    assert reg.submit(seller, b, registry("xining")).status == Registration.Status.SUBMITTED


def test_a_genuine_duplicate_text_is_still_refused(other_registered, contract, seller, registry):
    deals.store_attachment(seller, pdf_upload(OTHER_TEXT), contract=contract, kind="contract-text")
    with pytest.raises(TransitionError, match=f"重复登记：本合同与.*{other_registered.number}.*合同文本完全相同"):
        reg.submit(seller, contract, registry("xining"))


def test_a_contract_whose_texts_are_all_removed_cannot_be_submitted(contract, documents, seller, registry):
    for document in documents:
        contracts.withdraw_document(seller, contract, document)
    with pytest.raises(TransitionError, match="请先上传合同文本"):
        reg.submit(seller, contract, registry("xining"))


# Who may, and when --------------------------------------------------------------------------------------------

def _unchanged(contract, documents) -> None:
    for document in documents:
        document.refresh_from_db()
        assert document.withdrawn_at is None
    assert contract.attachments.count() == len(documents)
    assert not AuditEntry.objects.filter(action__in=["document-withdrawn", "document-replaced"]).exists()


def test_who_may_not_edit_the_contract_changes_nothing(client, make_user, org, contract, documents, seller,
                                                       buyer_org, outsider, registry, xining_registrar):
    wrong, right = documents
    other_org_member = make_user("other-member", organisation=org("海东某科技有限公司"))
    unverified = make_user("unverified-seller", verified=False, organisation=seller.organisation)
    upload = {"file": pdf_upload("x")}
    # Anonymous: to the log-in page.
    response = Client().post(remove_url(contract, wrong))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    # Not a party (or not verified): the contract does not exist for them.
    for user in (outsider, other_org_member, unverified):
        client.force_login(user)
        assert client.post(remove_url(contract, wrong), {"reason": "x"}).status_code == 404
        assert client.post(replace_url(contract, wrong), upload).status_code == 404
    # A registrar who examined (and refused) an application sees the contract, but is no party: 403.
    registration = reg.submit(seller, contract, registry("xining"))
    reg.refuse(xining_registrar, registration, "合同文本不完整。")
    client.force_login(xining_registrar)
    assert client.get(f"/market/contracts/{contract.pk}/").status_code == 200
    response = client.post(remove_url(contract, wrong))
    assert response.status_code == 403 and "只有合同当事人单位的已核验成员" in response.content.decode()
    assert client.post(replace_url(contract, wrong), {"file": pdf_upload("y")}).status_code == 403
    assert client.post(replace_url(contract, wrong)).status_code == 403  # no file: still refused as no party
    with pytest.raises(MarketPermissionError):
        contracts.withdraw_document(xining_registrar, contract, wrong)
    _unchanged(contract, documents)


def test_a_document_is_reached_only_through_its_own_contract(client, make_contract, contract, documents, seller,
                                                             seller_org, buyer_org):
    wrong, _ = documents
    another = make_contract(seller, seller_org, buyer_org, title="另一份合同", total="1", technology="1")
    client.force_login(seller)
    assert client.post(remove_url(another, wrong)).status_code == 404
    assert client.post(f"/market/contracts/{contract.pk}/documents/999999/remove/").status_code == 404
    assert client.get(remove_url(contract, wrong)).status_code == 405
    with pytest.raises(MarketError, match="该文件不属于本合同"):
        contracts.withdraw_document(seller, another, wrong)
    wrong.refresh_from_db()
    assert wrong.withdrawn_at is None


def test_documents_are_frozen_once_submitted(client, contract, documents, seller, registry, xining_registrar):
    wrong, right = documents
    deals.store_attachment(seller, pdf_upload("附件"), contract=contract, kind="other")
    documents = [*documents, contract.attachments.get(kind="other")]
    registration = reg.submit(seller, contract, registry("qinghai"))
    client.force_login(seller)
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    assert "合同文本与附件已冻结，不能移除或替换" in page and "确认移除" not in page and "确认替换" not in page
    response = client.post(remove_url(contract, wrong), follow=True)
    assert response.status_code == 200 and response.redirect_chain == [(f"/market/contracts/{contract.pk}/", 302)]
    assert messages_of(response) == [f"合同已申请认定登记（申请编号 {registration.pk}，已提交），合同文本与附件已冻结，"
                                     "不能移除或替换：登记机构依据申请时的合同文本审查。"]
    response = client.post(replace_url(contract, documents[2]), {"file": pdf_upload("z")}, follow=True)
    assert "合同文本与附件已冻结" in messages_of(response)[0]
    with pytest.raises(MarketError, match="已冻结"):
        contracts.withdraw_document(seller, contract, wrong)
    _unchanged(contract, documents)


def test_frozen_when_registered_and_free_again_after_a_withdrawal(client, contract, documents, seller, registry,
                                                                  xining_registrar):
    wrong, right = documents
    registration = reg.submit(seller, contract, registry("xining"))
    reg.withdraw(seller, registration, "文本有误，撤回后更正。")
    client.force_login(seller)
    page = client.get(f"/market/contracts/{contract.pk}/").content.decode()
    assert "已冻结" not in page and remove_url(contract, wrong) in page
    contracts.withdraw_document(seller, contract, wrong)
    registration = reg.register(xining_registrar, reg.accept(xining_registrar,
                                                             reg.submit(seller, contract, registry("xining"))))
    with pytest.raises(MarketError, match=f"登记号 {registration.number}，已登记）.*已冻结"):
        contracts.withdraw_document(seller, contract, right)
    right.refresh_from_db()
    assert right.withdrawn_at is None


def test_removing_after_a_refusal_is_a_change_of_the_contract(contract, documents, seller, registry,
                                                             xining_registrar):
    wrong, _ = documents
    registration = reg.refuse(xining_registrar, reg.submit(seller, contract, registry("xining")), "合同文本有误。")
    contracts.withdraw_document(seller, contract, wrong)
    # The reconsideration would examine the application's text, which the contract no longer has.
    with pytest.raises(TransitionError, match="合同在未予登记后已经修改"):
        reg.request_reconsideration(seller, registration, "请复议。")
    # The registration page still names what the application was made with.
    page = Client()
    page.force_login(xining_registrar)
    html = page.get(f"/market/registrations/{registration.pk}/").content.decode()
    assert "申请时提交，已于" in section(html, "registration-documents")


# Repeated and concurrent requests ---------------------------------------------------------------------------------

def test_a_removal_sent_twice_changes_things_once(client, contract, documents, seller):
    wrong, _ = documents
    client.force_login(seller)
    first = client.post(remove_url(contract, wrong), {"reason": "上传错误"}, follow=True)
    withdrawn_at = Attachment.objects.get(pk=wrong.pk).withdrawn_at
    second = client.post(remove_url(contract, wrong), {"reason": "上传错误"}, follow=True)
    assert first.status_code == second.status_code == 200
    assert messages_of(second) == ["文件“去年的合同.pdf”已经移除，未重复移除。"]
    assert Attachment.objects.get(pk=wrong.pk).withdrawn_at == withdrawn_at
    assert AuditEntry.objects.filter(action="document-withdrawn").count() == 1
    # A request that read the document before the first one committed finds it withdrawn under the lock.
    stale = Attachment.objects.get(pk=wrong.pk)
    stale.withdrawn_at = None
    with pytest.raises(AlreadyDone):
        contracts.withdraw_document(seller, contract, stale)
    assert AuditEntry.objects.filter(action="document-withdrawn").count() == 1


@postgres_only()
def test_concurrent_removals_change_things_once(committed_db, tmp_path, settings):  # noqa: F811 (the fixture)
    from techmarket.market.services.contracts import ContractInput, PartyInput

    settings.MEDIA_ROOT = tmp_path
    User = get_user_model()
    seller_org = Organisation.objects.create(name="并发移除测试新材料有限公司", kind="enterprise",
                                             region=Region.objects.get(code="xining"))
    buyer_org = Organisation.objects.create(name="并发移除测试化工有限公司", kind="enterprise",
                                            region=Region.objects.get(code="haixi"))
    seller = User.objects.create_user(username="concurrent-remover", password="x", is_verified=True,
                                      organisation=seller_org)
    try:
        contract = contracts.create_contract(seller, ContractInput(
            title="并发移除", contract_type="transfer", signed_on=datetime.date(2026, 3, 1),
            total_amount=Decimal(1000), technology_amount=Decimal(1000),
            parties=[PartyInput(seller_org, "transferor"), PartyInput(buyer_org, "transferee")]))
        wrong = deals.store_attachment(seller, pdf_upload(), contract=contract, kind="contract-text")
        clients = []
        for _ in range(8):
            clients.append(Client())
            clients[-1].force_login(seller)
        results = at_once(8, lambda i: clients[i].post(remove_url(contract, wrong)))
        assert [(r.status_code, r.url) for r in results] == [(302, f"/market/contracts/{contract.pk}/")] * 8
        assert history_for(contract).filter(action="document-withdrawn").count() == 1
        assert Attachment.objects.get(pk=wrong.pk).withdrawn_by == seller
    finally:
        contract_qs = Contract.objects.filter(created_by=seller)
        history_for(contract_qs).delete()
        Attachment.objects.filter(contract__in=contract_qs).delete()
        Milestone.objects.filter(contract__in=contract_qs).delete()
        ContractParty.objects.filter(contract__in=contract_qs).delete()
        contract_qs.delete()
        seller.delete()
        seller_org.delete()
        buyer_org.delete()
