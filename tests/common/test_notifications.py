# ruff: noqa: F811
"""The notification centre: inbox rows written with the action, e-mail only after commit, only to users with an
address and the topic on, never breaking the action; the 消息 and 通知设置 pages; and its first users: registration
deadline reminders and unanswered-intent reminders (the acceptance of issue 10, through the file mail backend)."""

import datetime
import email
import email.policy
import logging

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from techmarket.catalogue.models import Listing
from techmarket.common import notifications
from techmarket.common.models import Notification, NotificationPreference
from techmarket.market.models import Registration
from techmarket.market.services import registration as reg
from techmarket.market.services import reminders
from techmarket.matching.models import CooperationIntent
from techmarket.matching.services import intents

# The market tests' fixtures (registrations need contracts, registries and their staff), imported by name so
# that pytest finds them here; ruff would call them unused imports and the tests' arguments redefinitions.
from tests.market.conftest import (  # noqa: F401
    buyer_org,
    make_contract,
    make_registrar,
    media_root,
    org,
    provincial_registrar,
    region,
    registry,
    seller,
    seller_org,
    xining_registrar,
)

pytestmark = pytest.mark.django_db

TOPIC = "tests.topic"
notifications.register_topic(TOPIC, "测试通知", "测试用的通知类别。")


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def mails_in(directory) -> list[email.message.EmailMessage]:
    """Every message the file backend wrote under `directory`, parsed (headers decoded)."""
    found = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip(b"\n") + b"\n", policy=email.policy.default))
    return found


@pytest.fixture
def file_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return settings.EMAIL_FILE_PATH


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: the on-commit work (e-mail) runs at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.org")


@pytest.fixture
def bob(make_user):
    return make_user("bob", email="bob@example.org")


# --- The service ---------------------------------------------------------------------------------------------

def test_notify_writes_the_inbox_and_mails_each_recipient_after_commit(alice, bob, make_user, committed):
    nomail = make_user("nomail")
    with committed():
        done = notifications.notify([alice, bob, nomail, alice], TOPIC, "标题", "正文", "/notices/")
        assert mail.outbox == []  # nothing leaves before the commit
    assert sorted(n.recipient.username for n in done.notifications) == ["alice", "bob", "nomail"]
    assert done.emails == ["alice@example.org", "bob@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert mail.outbox[0].subject == "【青海科技开放合作平台】标题"
    assert "正文" in mail.outbox[0].body and "/notices/" in mail.outbox[0].body
    row = Notification.objects.get(recipient=alice)
    assert (row.topic, row.title, row.body, row.link, row.read_at) == (TOPIC, "标题", "正文", "/notices/", None)


def test_a_rolled_back_action_mails_nothing_and_leaves_no_message(alice, committed):
    with committed():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notifications.notify(alice, TOPIC, "不会发送", "正文")
                raise RuntimeError("the action failed")
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_mail_failure_is_logged_and_never_breaks_the_action(alice, settings, committed, caplog):
    settings.EMAIL_BACKEND = "tests.common.test_notifications.FailingBackend"
    with caplog.at_level(logging.ERROR, logger="techmarket.common.notifications"), committed():
        done = notifications.notify(alice, TOPIC, "邮件服务器故障", "正文")
    assert len(done) == 1 and Notification.objects.filter(recipient=alice).count() == 1
    # Logs carry no contact data (techmarket.ops.logs): the address is marked, the recipient is in the inbox.
    assert "could not e-mail" in caplog.text and "[email]" in caplog.text and "alice@example.org" not in caplog.text


def test_no_e_mail_when_the_topic_is_off_or_the_user_inactive(alice, bob, make_user, committed):
    notifications.set_email_choices(alice, {TOPIC: False})
    gone = make_user("gone", email="gone@example.org", is_active=False)
    with committed():
        done = notifications.notify([alice, bob, gone], TOPIC, "标题")
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert sorted(n.recipient.username for n in done.notifications) == ["alice", "bob"]  # alice still has it in-app
    assert not notifications.email_enabled(alice, TOPIC) and notifications.email_enabled(bob, TOPIC)


def test_a_key_sends_once_per_user(alice, bob, committed):
    with committed():
        assert len(notifications.notify(alice, TOPIC, "一次", key="k:1")) == 1
        assert len(notifications.notify([alice, bob], TOPIC, "一次", key="k:1")) == 1  # only bob is new
        assert len(notifications.notify(alice, TOPIC, "一次", key="k:1")) == 0
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "market/"])
def test_links_are_site_relative(alice, link):
    with pytest.raises(ValueError):
        notifications.notify(alice, TOPIC, "标题", link=link)


def test_unknown_topics_are_refused(alice):
    with pytest.raises(ValueError, match="unknown notification topic"):
        notifications.notify(alice, "tests.nonexistent", "标题")
    with pytest.raises(ValueError):
        notifications.set_email_choices(alice, {"tests.nonexistent": False})


def test_topics_of_the_apps_are_discovered():
    codes = {t.code for t in notifications.topics()}
    assert {"matching.intent", "matching.intent-reminder", "market.registration-deadline",
            "common.objection", "common.objection-resolved"} <= codes


def test_long_titles_are_shortened(alice):
    [row] = notifications.notify(alice, TOPIC, "长" * 400).notifications
    assert len(row.title) == 300 and row.title.endswith("…")


# --- The pages -----------------------------------------------------------------------------------------------

def test_inbox_needs_a_log_in(client):
    response = client.get(reverse("common:inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_inbox_lists_the_user_s_messages_and_the_navigation_counts_unread(alice, bob, login):
    notifications.notify(alice, TOPIC, "给爱丽丝的消息", "正文一", "/notices/")
    notifications.notify(bob, TOPIC, "给鲍勃的消息")
    client = login(alice)
    page = client.get(reverse("common:inbox")).content.decode()
    assert "给爱丽丝的消息" in page and "正文一" in page and "给鲍勃的消息" not in page
    assert "测试通知" in page  # the topic's label
    home = client.get(reverse("home")).content.decode()
    assert reverse("common:inbox") in home and 'aria-label="1 条未读"' in home


def test_mark_read_open_and_mark_all_read(alice, bob, login):
    first = notifications.notify(alice, TOPIC, "一", link="/notices/").notifications[0]
    notifications.notify(alice, TOPIC, "二")
    notifications.notify(alice, TOPIC, "三")
    other = notifications.notify(bob, TOPIC, "别人的").notifications[0]
    client = login(alice)
    response = client.post(reverse("common:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert notifications.unread_count(alice) == 2
    assert client.post(reverse("common:read", args=[other.pk])).status_code == 404  # not hers
    assert client.get(reverse("common:read", args=[first.pk])).status_code == 405  # a write is a POST
    client.post(reverse("common:read-all"))
    assert notifications.unread_count(alice) == 0 and notifications.unread_count(bob) == 1


def test_preferences_page_switches_e_mail_per_topic(alice, login, committed):
    client = login(alice)
    page = client.get(reverse("common:preferences")).content.decode()
    assert "通知设置" in page and "测试通知" in page and "技术合同登记到期提醒" in page
    others = [t.code for t in notifications.topics() if t.code != TOPIC]
    response = client.post(reverse("common:preferences"), {"email": others})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=alice, topic=TOPIC).email is False
    assert notifications.email_enabled(alice, "matching.intent")
    with committed():
        notifications.notify(alice, TOPIC, "只在站内")
    assert mail.outbox == [] and Notification.objects.filter(recipient=alice, title="只在站内").exists()


# --- Registration deadlines ----------------------------------------------------------------------------------

@pytest.fixture
def application(make_contract, seller, seller_org, buyer_org, registry):
    return reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))


def due_in(registration, days: int) -> Registration:
    Registration.objects.filter(pk=registration.pk).update(due_on=timezone.localdate() + datetime.timedelta(days=days))
    registration.refresh_from_db()
    return registration


@pytest.fixture
def staff_with_email(xining_registrar, provincial_registrar):
    xining_registrar.email = "registrar@xining.example"
    xining_registrar.save()
    provincial_registrar.email = "registrar@qinghai.example"
    provincial_registrar.save()
    return xining_registrar


def test_a_registration_approaching_its_deadline_notifies_its_registry_s_staff_in_app_and_by_file_mail(
        application, staff_with_email, provincial_registrar, file_mail, committed, capsys):
    due_in(application, 3)
    with committed():
        call_command("remind_registrations")
    out = capsys.readouterr().out
    assert f"about registration #{application.pk} (due in 3 day(s)" in out
    assert "1 registration(s) reminded, 1 e-mail(s) sent." in out
    [notice] = Notification.objects.filter(topic=reminders.TOPIC)
    assert notice.recipient == staff_with_email  # the Xining registry's staff, not the provincial registry's
    assert notice.title == f"登记申请即将到期：{application.contract.title}"
    assert notice.link == application.get_absolute_url()
    [message] = mails_in(file_mail)
    assert message["To"] == "registrar@xining.example"
    assert message["Subject"].strip() == f"【青海科技开放合作平台】{notice.title}"
    assert "还有 3 日到期" in message.get_content()


def test_registration_reminders_once_a_day_overdue_included_far_ones_not(application, staff_with_email,
                                                                         make_contract, seller, seller_org,
                                                                         buyer_org, registry, committed):
    due_in(application, -2)
    later = due_in(reg.submit(seller, make_contract(seller, seller_org, buyer_org, title="远期合同", total="2000000",
                                            technology="1500000"),
                              registry("xining")), 20)
    today = timezone.localdate()
    with committed():
        [item] = reminders.remind_registrations()
        assert item.registration == application and item.days_left == -2
        assert reminders.remind_registrations() == []  # a rerun the same day sends nothing again
        assert [i.registration for i in reminders.remind_registrations(days=20)] == [later]
        assert len(reminders.remind_registrations(on=today + datetime.timedelta(days=1))) == 1  # the next day
    assert Notification.objects.filter(title__startswith="登记申请已逾期").count() == 2
    assert len(mail.outbox) == 3


def test_decided_registrations_are_not_reminded(application, staff_with_email):
    due_in(application, 1)
    reg.register(staff_with_email, reg.accept(staff_with_email, application))
    assert reminders.remind_registrations() == []


def test_reconsiderations_remind_the_provincial_registry(application, staff_with_email, provincial_registrar):
    due_in(application, 1)
    Registration.objects.filter(pk=application.pk).update(status=Registration.Status.RECONSIDERATION)
    [item] = reminders.remind_registrations()
    assert item.staff == [provincial_registrar]


def test_remind_registrations_refuses_negative_days():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("remind_registrations", "--days", "-1")


# --- Unanswered intents --------------------------------------------------------------------------------------

def test_an_unanswered_intent_notifies_the_recipient_s_members_in_app_and_by_file_mail(
        reviewer, member, qinghai_university, file_mail, committed, capsys):
    member.email = "member@qhu.edu.cn"
    member.save()
    listing = Listing.objects.get(reference="innovation/agriculture/2")
    [intent] = intents.send_intents(reviewer, listing, [qinghai_university.pk], "欢迎合作")
    CooperationIntent.objects.filter(pk=intent.pk).update(sent_at=timezone.now() - datetime.timedelta(days=8))
    with committed():
        call_command("remind_intents")
    assert "1 intent(s) reminded, 1 e-mail(s) sent." in capsys.readouterr().out
    reminder = Notification.objects.get(recipient=member, topic=intents.REMINDER_TOPIC)
    assert reminder.title == f"定向发布待回复提醒：{listing.title}" and reminder.link == reverse("my-intents")
    assert Notification.objects.filter(recipient=member, topic=intents.INTENT_TOPIC).count() == 1  # the sending
    [message] = mails_in(file_mail)  # the sending's e-mail was never committed in this test
    assert message["To"] == "member@qhu.edu.cn"
    assert message["Subject"].strip() == f"【青海科技开放合作平台】{reminder.title}"
    assert "第 1 次提醒" in message.get_content()
