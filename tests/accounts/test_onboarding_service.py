"""Self-service onboarding (accounts/onboarding.py): a member claims an organisation by its credit code or registers
a new one; staff who may verify members approve (verified + linked, in one transaction) or reject with a reason;
each step is in the audit log and the decision reaches the member as a message."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from techmarket.accounts import onboarding, services
from techmarket.accounts.models import User, VerificationRequest
from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, Refused
from techmarket.common.models import Notification
from techmarket.directory.models import Organisation, Region
from tests.accounts.onboarding_helpers import (
    NEW_CODE,
    UNIVERSITY_CODE,
    invalid_code,
    valid_code,
)

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status
NEW_NAME = "海东高原新材料有限公司"


def register_new(user, **overrides):
    data = {"credit_code": NEW_CODE, "name": NEW_NAME, "org_kind": Organisation.Kind.ENTERPRISE,
            "region_id": Region.objects.get(code="haidong").pk} | overrides
    return onboarding.submit(user, onboarding.Application(**data))


# --- Submitting ------------------------------------------------------------------------------------------------

def test_a_known_code_claims_that_organisation(newcomer, university):
    request = onboarding.submit(newcomer, onboarding.Application(f" {UNIVERSITY_CODE.lower()} "))
    assert (request.kind, request.status, request.organisation, request.name) == (
        VerificationRequest.Kind.CLAIM, Status.PENDING, university, "青海大学")
    assert request.credit_code == UNIVERSITY_CODE
    [line] = history_for(request)
    assert (line.action, line.actor, line.to_value) == ("submit", newcomer, Status.PENDING)
    newcomer.refresh_from_db()
    assert not newcomer.is_verified and newcomer.organisation is None  # nothing changes before staff decide


def test_an_unknown_code_with_details_registers_a_new_organisation(newcomer):
    request = register_new(newcomer)
    assert (request.kind, request.name, request.org_kind, request.region.code) == (
        VerificationRequest.Kind.REGISTER, NEW_NAME, "enterprise", "haidong")
    assert request.organisation is None
    assert not Organisation.objects.filter(name=NEW_NAME).exists()  # created only when approved


def test_a_known_name_without_a_code_is_claimed_and_the_code_recorded_on_approval(newcomer, qinghai_university,
                                                                                    reviewer):
    assert qinghai_university.credit_code == ""
    request = register_new(newcomer, name="青海大学")
    assert request.kind == VerificationRequest.Kind.CLAIM and request.organisation == qinghai_university
    onboarding.approve(reviewer, request.pk)
    qinghai_university.refresh_from_db()
    assert qinghai_university.credit_code == NEW_CODE


@pytest.mark.parametrize("code", ["", "123", invalid_code(NEW_CODE), NEW_CODE[:-1] + "I", "9" * 40])
def test_an_invalid_code_is_refused(newcomer, code):
    with pytest.raises(InvalidInput, match="统一社会信用代码无效"):
        register_new(newcomer, credit_code=code)
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize("missing", ["name", "org_kind", "region_id"])
def test_an_unknown_code_needs_the_organisations_details(newcomer, missing):
    with pytest.raises(InvalidInput, match="请填写单位名称、类型和所在地"):
        register_new(newcomer, **{missing: None if missing == "region_id" else ""})


def test_bounds_on_the_name(newcomer):
    with pytest.raises(InvalidInput, match="最多 200 个字"):
        register_new(newcomer, name="某" * 201)
    with pytest.raises(InvalidInput, match="控制字符"):
        register_new(newcomer, name="海东\u202e公司")
    with pytest.raises(InvalidInput, match="请填写单位名称"):
        register_new(newcomer, org_kind="not-a-kind")


def test_a_name_taken_under_another_code_is_refused(newcomer, university):
    with pytest.raises(InvalidInput, match="统一社会信用代码与您填写的不一致"):
        register_new(newcomer, name="青海大学")


def test_one_pending_request_per_user(newcomer, university):
    onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    with pytest.raises(Conflict, match="待核验的申请"):
        register_new(newcomer)
    assert VerificationRequest.objects.filter(user=newcomer).count() == 1
    # The database says so too (two requests racing past the check).
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationRequest.objects.create(user=newcomer, kind="claim", credit_code=UNIVERSITY_CODE, name="青海大学")


def test_a_verified_member_has_nothing_to_claim(member, university):
    with pytest.raises(Refused, match="已核验并关联单位“青海大学”"):
        onboarding.submit(member, onboarding.Application(UNIVERSITY_CODE))


# --- Deciding --------------------------------------------------------------------------------------------------

def test_approving_a_claim_verifies_and_links_the_member_and_tells_them(newcomer, university, reviewer,
                                                                        django_capture_on_commit_callbacks):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    with django_capture_on_commit_callbacks(execute=True):
        decided = onboarding.approve(reviewer, request.pk)
    newcomer.refresh_from_db()
    assert newcomer.is_verified and newcomer.organisation == university
    assert newcomer.can_submit_listings and newcomer.can_see_contacts
    assert (decided.status, decided.decided_by, decided.organisation) == (Status.APPROVED, reviewer, university)
    assert decided.decided_at is not None
    assert [line.action for line in history_for(request)] == ["submit", "approve"]
    assert {line.action for line in history_for(newcomer)} >= {"verify", "link-organisation"}
    [message] = Notification.objects.filter(recipient=newcomer)
    assert message.topic == "accounts.verification" and "核验已通过" in message.title
    assert "青海大学" in message.body and message.link == "/my/organisation/"
    assert [m.to for m in mail.outbox] == [["newcomer@example.com"]]


def test_approving_a_registration_creates_the_organisation(newcomer, reviewer):
    request = register_new(newcomer)
    onboarding.approve(reviewer, request.pk)
    created = Organisation.objects.get(credit_code=NEW_CODE)
    assert (created.name, created.kind, created.region.code) == (NEW_NAME, "enterprise", "haidong")
    newcomer.refresh_from_db()
    assert newcomer.organisation == created and newcomer.is_verified
    request.refresh_from_db()
    assert request.organisation == created
    assert [line.action for line in history_for(created)] == ["create"]


@pytest.mark.parametrize("taken", ["name", "code"])
def test_approving_a_registration_whose_name_or_code_was_taken_meanwhile_changes_nothing(newcomer, reviewer, taken):
    request = register_new(newcomer)
    if taken == "name":
        Organisation.objects.create(name=NEW_NAME)
    else:
        Organisation.objects.create(name="另一家公司", credit_code=NEW_CODE)
    with pytest.raises(Conflict, match="请驳回并请申请人改为认领该单位"):
        onboarding.approve(reviewer, request.pk)
    newcomer.refresh_from_db()
    request.refresh_from_db()
    assert not newcomer.is_verified and newcomer.organisation is None
    assert request.status == Status.PENDING
    assert Organisation.objects.filter(name=NEW_NAME).count() == (1 if taken == "name" else 0)


def test_rejecting_needs_a_reason_and_tells_the_member(newcomer, university, reviewer):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    for reason in ["", "   ", None]:
        with pytest.raises(InvalidInput, match="请填写未通过的原因"):
            onboarding.reject(reviewer, request.pk, reason)
    with pytest.raises(InvalidInput, match="最多 2000 个字"):
        onboarding.reject(reviewer, request.pk, "长" * 2001)
    decided = onboarding.reject(reviewer, request.pk, "单位信息与营业执照不符。")
    assert (decided.status, decided.reason) == (Status.REJECTED, "单位信息与营业执照不符。")
    newcomer.refresh_from_db()
    assert not newcomer.is_verified and newcomer.organisation is None
    [line] = [line for line in history_for(request) if line.action == "reject"]
    assert line.reason == "单位信息与营业执照不符。" and line.actor == reviewer
    [message] = Notification.objects.filter(recipient=newcomer)
    assert "未通过" in message.title and "单位信息与营业执照不符。" in message.body
    # The member may try again.
    assert onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE)).status == Status.PENDING


def test_a_request_is_decided_once(newcomer, university, reviewer, make_user):
    other = make_user("reviewer2", reviewer=True)
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    onboarding.approve(reviewer, request.pk)
    with pytest.raises(Conflict, match="已由其他工作人员处理（已通过）"):
        onboarding.approve(other, request.pk)
    with pytest.raises(Conflict):
        onboarding.reject(other, request.pk, "重复")
    assert [line.action for line in history_for(request)] == ["submit", "approve"]
    assert Notification.objects.filter(recipient=newcomer).count() == 1


def test_a_decision_racing_past_the_lock_is_refused_by_the_conditional_update(newcomer, university, reviewer):
    """On SQLite select_for_update locks nothing: the update only applies while the row is still pending."""
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    stale = VerificationRequest.objects.get(pk=request.pk)
    VerificationRequest.objects.filter(pk=request.pk).update(status=Status.REJECTED, reason="另一人已处理")
    with pytest.raises(Conflict):
        onboarding._close(stale, reviewer, Status.APPROVED, organisation=university)
    request.refresh_from_db()
    assert request.status == Status.REJECTED


def test_only_those_who_may_verify_decide(newcomer, university, member, make_user):
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    staff_without_role = make_user("plainstaff", is_staff=True)
    for user in (member, newcomer, staff_without_role):
        assert not onboarding.can_verify(user)
        with pytest.raises(NotAllowed, match="负责核验用户"):
            onboarding.approve(user, request.pk)
        with pytest.raises(NotAllowed):
            onboarding.reject(user, request.pk, "不行")
    request.refresh_from_db()
    assert request.status == Status.PENDING
    boss = make_user("boss", is_superuser=True, is_staff=True)
    assert onboarding.can_verify(boss)


def test_reviewers_may_verify_through_their_role(reviewer):
    assert onboarding.can_verify(reviewer) and reviewer.can_verify_members
    assert reviewer.has_perm("accounts.verify_member")


def test_the_queue_and_its_count(newcomer, university, make_user, reviewer):
    second = make_user("second", verified=False)
    first = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    later = register_new(second)
    assert list(onboarding.pending_requests()) == [first, later] and onboarding.pending_count() == 2
    onboarding.approve(reviewer, first.pk)
    assert list(onboarding.pending_requests()) == [later] and onboarding.pending_count() == 1


# --- Next steps and the confirmation e-mail --------------------------------------------------------------------

def test_next_steps_follow_the_member(newcomer, university, reviewer):
    assert [step.key for step in onboarding.next_steps(newcomer)] == ["confirm-email", "apply"]
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    assert [step.key for step in onboarding.next_steps(newcomer)] == ["confirm-email", "wait"]
    onboarding.reject(reviewer, request.pk, "请使用单位邮箱注册。")
    [_, again] = onboarding.next_steps(newcomer)
    assert again.key == "apply" and "请使用单位邮箱注册。" in again.text
    User.objects.filter(pk=newcomer.pk).update(email_confirmed_at="2026-01-01T00:00:00Z")
    newcomer.refresh_from_db()
    request = onboarding.submit(newcomer, onboarding.Application(UNIVERSITY_CODE))
    onboarding.approve(reviewer, request.pk)
    newcomer.refresh_from_db()
    assert onboarding.next_steps(newcomer) == []


def test_resending_the_confirmation_is_limited_to_once_a_minute(newcomer, monkeypatch):
    assert services.resend_confirmation(newcomer) == ["newcomer@example.com"]
    with pytest.raises(Refused, match="1 分钟后再试"):
        services.resend_confirmation(newcomer)
    assert len(mail.outbox) == 1
    from django.core.cache import cache

    cache.clear()  # a minute later
    services.resend_confirmation(newcomer)
    assert len(mail.outbox) == 2


def test_resending_needs_an_unconfirmed_address(make_user):
    with pytest.raises(Refused, match="没有填写电子邮箱"):
        services.resend_confirmation(make_user("nomail", email=""))
    confirmed = make_user("done", email="done@example.com")
    User.objects.filter(pk=confirmed.pk).update(email_confirmed_at="2026-01-01T00:00:00Z")
    confirmed.refresh_from_db()
    with pytest.raises(Refused, match="已经确认"):
        services.resend_confirmation(confirmed)
    assert mail.outbox == []


def test_valid_code_helper_agrees_with_the_validator():
    from techmarket.directory.credit_code import is_valid_credit_code

    assert is_valid_credit_code(UNIVERSITY_CODE) and is_valid_credit_code(NEW_CODE)
    assert not is_valid_credit_code(invalid_code(NEW_CODE))
    assert valid_code("91630200MA7500001") == NEW_CODE
