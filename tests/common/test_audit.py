"""The one audit log: writing and reading it, the labels domains register, and the administrative acts it records
(verification, organisation edits, role grants), as staff see them in the admin (操作记录)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from techmarket.accounts.roles import REVIEWERS
from techmarket.common import audit
from techmarket.common.models import AuditEntry
from techmarket.market.models import Registry, RegistryStaff
from techmarket.policy.models import Rule

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("admin:common_auditentry_changelist")


@pytest.fixture
def staff(make_user):
    """A staff member with no model permissions: the log is visible to staff as such."""
    return make_user("staffer", is_staff=True)


@pytest.fixture
def admin_user(make_user):
    return make_user("chief", is_staff=True, is_superuser=True)


def lines(client, **params) -> str:
    response = client.get(AUDIT_URL, params)
    assert response.status_code == 200
    return response.content.decode()


# --- Writing and reading ----------------------------------------------------------------------------------

def test_history_for_and_history_by(member, reviewer, qinghai_university):
    first = audit.log_action(qinghai_university, "change", reviewer, from_value="青海大学", to_value="青海大学（新）",
                             reason="更名", data={"source": "test"})
    second = audit.log_action(qinghai_university, "change", member, reason="补充信用代码")
    other = audit.log_action(member, "verify", reviewer)
    assert list(audit.history_for(qinghai_university)) == [first, second]  # oldest first
    assert list(audit.history_by(reviewer)) == [other, first]  # newest first
    assert list(audit.history_for(qinghai_university, member)) == [first, second, other]
    entry = AuditEntry.objects.get(pk=first.pk)
    assert (entry.target, entry.target_label, entry.actor, entry.data) == (
        qinghai_university, "青海大学", reviewer, {"source": "test"})
    assert (entry.from_value, entry.to_value, entry.reason, entry.who) == ("青海大学", "青海大学（新）", "更名",
                                                                           str(reviewer))


def test_actions_are_named_by_the_domain_that_registered_them(member):
    from techmarket.market.models import Registration

    entry = audit.log_action(member, "role-grant", None, actor_label="system", to_value=REVIEWERS)
    assert entry.action_label == "授予角色" and entry.who == "系统"
    # The market registered its registration statuses: from/to read as the pages show them.
    registration_type = ContentType.objects.get_for_model(Registration)
    assert audit.value_label(registration_type.pk, "registered") == Registration.Status.REGISTERED.label
    assert audit.action_label(registration_type.pk, "register") == "准予登记"
    assert audit.action_label(registration_type.pk, "no-such-code") == "no-such-code"


def test_the_policy_files_sync_is_logged():
    rule = Rule.objects.filter(active=True).first()
    created = audit.history_for(rule).get(action="create")
    assert created.actor is None and created.who == "数据文件同步" and created.to_value == rule.content_hash[:12]


# --- Administrative acts, as staff see them ----------------------------------------------------------------

def test_verifying_a_user_leaves_a_record_visible_to_staff(client, admin_user, staff, unverified, member):
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "mark_verified", "_selected_action": [unverified.pk, member.pk]})
    assert response.status_code == 302
    unverified.refresh_from_db()
    assert unverified.is_verified
    (entry,) = AuditEntry.objects.filter(action="verify")  # the already verified member is not logged again
    assert (entry.target, entry.actor, entry.from_value, entry.to_value) == (unverified, admin_user, "否", "是")

    client.force_login(staff)
    page = lines(client, action="verify")
    assert "核验账户" in page and "unverified" in page and "chief" in page
    user_type = ContentType.objects.get_for_model(unverified)
    assert "unverified" in lines(client, content_type__id__exact=user_type.pk, object_id=unverified.pk)


def test_editing_an_organisation_leaves_a_record_visible_to_staff(client, admin_user, staff, qinghai_university):
    client.force_login(admin_user)
    url = reverse("admin:directory_organisation_change", args=[qinghai_university.pk])
    data = {"name": "青海大学", "kind": qinghai_university.kind, "region": qinghai_university.region_id or "",
            "credit_code": "", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000"}
    form = client.get(url).context["adminform"].form
    data.update({name: form.initial.get(name) or "" for name in form.fields if name not in data})
    data["name"] = "青海大学（测试）"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = audit.history_for(qinghai_university).get(action="change")
    assert entry.actor == admin_user
    assert entry.data["changes"]["name"] == ["青海大学", "青海大学（测试）"]

    client.force_login(staff)
    history = client.get(reverse("admin:directory_organisation_history", args=[qinghai_university.pk]))
    assert history.status_code == 302
    page = lines(client, **dict(pair.split("=") for pair in history.url.split("?")[1].split("&")))
    assert "青海大学（测试）" in page and "后台修改：" in page and "chief" in page


def test_granting_a_role_leaves_a_record_visible_to_staff(client, admin_user, staff, member):
    reviewers = Group.objects.get(name=REVIEWERS)
    with audit.acting(admin_user):
        member.groups.add(reviewers)
    entry = audit.history_for(member).get(action="role-grant")
    assert (entry.actor, entry.to_value) == (admin_user, REVIEWERS)
    member.groups.remove(reviewers)  # outside the admin: by the system
    revoked = audit.history_for(member).get(action="role-revoke")
    assert (revoked.actor, revoked.actor_label, revoked.from_value) == (None, "system", REVIEWERS)

    RegistryStaff.objects.create(user=member, registry=Registry.objects.filter(active=True).first(),
                                 certificate_number="国科登字2026001")
    assert audit.history_for(member).filter(action="registry-staff-grant").exists()

    client.force_login(staff)
    page = lines(client, actor__id__exact=admin_user.pk)
    assert "授予角色" in page and "member" in page


def test_granting_a_role_in_the_user_admin_names_the_staff_member(client, admin_user, member):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if not isinstance(v, (list, tuple))}
    data.update({"groups": [Group.objects.get(name=REVIEWERS).pk], "is_active": "on", "is_verified": "on",
                 "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
                 "date_joined_1": member.date_joined.strftime("%H:%M:%S")})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = audit.history_for(member).get(action="role-grant")
    assert entry.actor == admin_user


def test_the_log_is_read_only_and_for_staff_only(client, staff, member):
    entry = audit.log_action(member, "verify", staff)
    client.force_login(staff)
    assert client.get(reverse("admin:common_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.post(reverse("admin:common_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:common_auditentry_add")).status_code == 403
    client.force_login(member)
    assert client.get(AUDIT_URL).status_code == 302  # to the admin's log-in page
