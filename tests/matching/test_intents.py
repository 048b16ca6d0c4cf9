"""Targeted publishing (定向发布): who sends, who answers, which answers may follow which, reminders and
the follow-up counts."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation
from techmarket.matching.models import CooperationIntent, IntentAction
from techmarket.matching.services import intents as service
from techmarket.matching.services.intents import IntentError, IntentPermissionError

pytestmark = pytest.mark.django_db

ST = CooperationIntent.Status
# A published demand of 青海省草原总站 for which 青海大学 ranks first.
DEMAND = "innovation/agriculture/33"


@pytest.fixture
def listing():
    return Listing.objects.get(reference=DEMAND)


@pytest.fixture
def cau():
    return Organisation.objects.get(name="中国农业大学")


@pytest.fixture
def sent(reviewer, listing, qinghai_university):
    """An intent sent to 青海大学, the organisation of the `member` fixture."""
    [intent] = service.send_intents(reviewer, listing, [qinghai_university.pk], "欢迎合作")
    return intent


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """remind_unanswered with the e-mails it sends after commit delivered (each test runs in one transaction that
    never commits)."""
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service.remind_unanswered(**kwargs)

    return run


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def backdate(intent, days: float, reminded_days: float | None = None):
    CooperationIntent.objects.filter(pk=intent.pk).update(
        sent_at=days_ago(days), last_reminded_at=None if reminded_days is None else days_ago(reminded_days))
    intent.refresh_from_db()
    return intent


# --- Suggestions and sending -----------------------------------------------------------------------

def test_suggestions_are_ranked_institutions_without_the_listing_s_own(listing, qinghai_university):
    suggestions = service.suggest_recipients(listing, limit=10)
    assert suggestions and len(suggestions) <= 10
    assert suggestions[0].organisation_id == qinghai_university.pk
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert listing.owner_id not in {s.organisation_id for s in suggestions}
    assert all(s.explanation for s in suggestions)
    # Outside Qinghai too.
    assert any(s.region not in ("青海省", "西宁市") for s in suggestions)


def test_reviewer_sends_with_a_snapshot_of_the_ranking(reviewer, listing, qinghai_university, cau):
    intents = service.send_intents(reviewer, listing, [qinghai_university.pk, cau.pk, cau.pk], "  欢迎合作  ")
    assert [i.organisation for i in intents] == [qinghai_university, cau]  # duplicates in the request collapse
    first = intents[0]
    assert first.status == ST.SENT and first.sent_by == reviewer and first.message == "欢迎合作"
    fit = service.suggest_recipients(listing, limit=1)[0]
    assert first.fit_score == fit.score
    assert first.fit_reasons and first.fit_explanation == fit.explanation
    assert [(e.action, e.to_value, e.actor) for e in history_for(first)] == [
        (IntentAction.SENT, ST.SENT, reviewer)]


@pytest.mark.parametrize("who", ["member", "outsider", "unverified", "anonymous"])
def test_only_reviewers_send(request, who, listing, qinghai_university):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(IntentPermissionError, match="审核人员"):
        service.send_intents(user, listing, [qinghai_university.pk])
    assert not CooperationIntent.objects.exists()


def test_duplicates_are_refused_and_nothing_changes(reviewer, listing, sent, qinghai_university, cau):
    with pytest.raises(IntentError, match="青海大学") as error:
        service.send_intents(reviewer, listing, [cau.pk, qinghai_university.pk], "再次发送")
    assert "不能重复发送" in str(error.value)
    # Neither the new organisation nor a second intent: all or nothing.
    assert list(CooperationIntent.objects.values_list("organisation_id", "message")) == [
        (qinghai_university.pk, "欢迎合作")]
    assert history_for(CooperationIntent.objects.all()).count() == 1


@pytest.mark.parametrize("change, message", [
    ({"kind": Listing.Kind.OFFER}, "只有技术需求"),
    ({"status": Listing.Status.CONTRACTED}, "已发布或洽谈中"),
    ({"status": Listing.Status.DRAFT}, "已发布或洽谈中"),
])
def test_only_public_demands_talent_and_platform_listings(reviewer, listing, qinghai_university, change, message):
    Listing.objects.filter(pk=listing.pk).update(**change)
    listing.refresh_from_db()
    with pytest.raises(IntentError, match=message):
        service.send_intents(reviewer, listing, [qinghai_university.pk])
    assert not CooperationIntent.objects.exists()


def test_talent_platform_and_in_talks_listings_may_be_sent(reviewer, qinghai_university):
    for kind in (Listing.Kind.TALENT, Listing.Kind.PLATFORM):
        listing = Listing.objects.filter(kind=kind, status=Listing.Status.PUBLISHED).exclude(
            owner=qinghai_university).exclude(organisations=qinghai_university).first()
        assert service.send_intents(reviewer, listing, [qinghai_university.pk])
    listing = Listing.objects.get(reference=DEMAND)
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.IN_TALKS)
    listing.refresh_from_db()
    assert service.send_intents(reviewer, listing, [qinghai_university.pk])


def test_no_recipients_unknown_ones_or_the_listing_s_own_are_refused(reviewer, listing):
    with pytest.raises(IntentError, match="至少选择"):
        service.send_intents(reviewer, listing, [])
    with pytest.raises(IntentError, match="不存在"):
        service.send_intents(reviewer, listing, [10**9])
    with pytest.raises(IntentError, match="无效"):
        service.send_intents(reviewer, listing, ["x"])
    with pytest.raises(IntentError, match="自身"):
        service.send_intents(reviewer, listing, [listing.owner_id])
    assert not CooperationIntent.objects.exists()


def test_sending_e_mails_the_recipient_s_verified_members(reviewer, listing, make_user, qinghai_university,
                                                          django_capture_on_commit_callbacks):
    make_user("a", organisation=qinghai_university, email="a@qhu.edu.cn")
    make_user("b", organisation=qinghai_university, email="b@qhu.edu.cn")
    make_user("c", organisation=qinghai_university, email="c@qhu.edu.cn", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        service.send_intents(reviewer, listing, [qinghai_university.pk], "欢迎合作")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@qhu.edu.cn", "b@qhu.edu.cn"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # members do not see each other's addresses
    assert listing.title in mail.outbox[0].subject
    assert "欢迎合作" in mail.outbox[0].body and "/my/intents/" in mail.outbox[0].body


# --- Answers ---------------------------------------------------------------------------------------

def test_recipient_member_answers(member, sent):
    intent = service.respond(member, sent, ST.INTERESTED, "  可以派团队对接  ")
    intent.refresh_from_db()
    assert intent.status == ST.INTERESTED and intent.response == "可以派团队对接"
    assert intent.responded_by == member and intent.responded_at is not None
    event = history_for(intent).last()
    assert (event.action, event.from_value, event.to_value, event.actor) == (
        IntentAction.RESPONSE, ST.SENT, ST.INTERESTED, member)


@pytest.mark.parametrize("who", ["outsider", "unverified", "reviewer", "other_member", "anonymous"])
def test_only_verified_members_of_the_recipient_answer(request, who, sent, make_user):
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        user = AnonymousUser()
    elif who == "other_member":
        user = make_user("other", organisation=Organisation.objects.get(name="中国农业大学"))
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(IntentPermissionError, match="接收机构"):
        service.respond(user, sent, ST.INTERESTED, "")
    sent.refresh_from_db()
    assert sent.status == ST.SENT and sent.responded_at is None
    assert history_for(sent).count() == 1


def test_a_proposal_needs_its_text(member, sent):
    with pytest.raises(IntentError, match="方案内容"):
        service.respond(member, sent, ST.PROPOSAL, "   ")
    sent.refresh_from_db()
    assert sent.status == ST.SENT
    assert service.respond(member, sent, ST.PROPOSAL, "联合攻关方案：……").status == ST.PROPOSAL


def test_unknown_answers_are_refused(member, sent):
    for status in ("sent", "accepted", ""):
        with pytest.raises(IntentError, match="请选择回复"):
            service.respond(member, sent, status, "x")


@pytest.mark.parametrize("path, allowed", [
    ([ST.INTERESTED, ST.PROPOSAL], True),
    ([ST.INTERESTED, ST.DECLINED], True),
    ([ST.PROPOSAL, ST.PROPOSAL], True),  # a revised proposal
    ([ST.DECLINED], True),
    ([ST.DECLINED, ST.INTERESTED], False),
    ([ST.DECLINED, ST.PROPOSAL], False),
    ([ST.INTERESTED, ST.INTERESTED], False),
    ([ST.PROPOSAL, ST.INTERESTED], False),
    ([ST.PROPOSAL, ST.DECLINED], False),
])
def test_answer_transitions(member, sent, path, allowed):
    *first, last = path
    for status in first:
        service.respond(member, sent, status, "方案" if status == ST.PROPOSAL else "")
    sent.refresh_from_db()
    before = (sent.status, sent.response, sent.responded_at, history_for(sent).count())
    assert (last in service.allowed_answers(sent)) is allowed
    if allowed:
        assert service.respond(member, sent, last, "新方案").status == last
    else:
        with pytest.raises(IntentError):
            service.respond(member, sent, last, "新方案")
        sent.refresh_from_db()
        assert (sent.status, sent.response, sent.responded_at, history_for(sent).count()) == before


def test_declined_is_final(member, sent):
    service.respond(member, sent, ST.DECLINED, "")
    sent.refresh_from_db()
    assert service.allowed_answers(sent) == []
    with pytest.raises(IntentError, match="不能再变更"):
        service.respond(member, sent, ST.PROPOSAL, "方案")


# --- Reminders -------------------------------------------------------------------------------------

def test_no_reminder_before_n_days(remind, sent):
    backdate(sent, 6.9)
    assert remind(days=7) == []
    sent.refresh_from_db()
    assert sent.reminder_count == 0 and sent.last_reminded_at is None
    assert mail.outbox == []


def test_reminder_after_n_days_counts_and_e_mails_members(remind, sent, member, make_user, qinghai_university):
    member.email = "member@qhu.edu.cn"
    member.save()
    make_user("nomail", organisation=qinghai_university)  # no address: not written to
    make_user("stranger", organisation=Organisation.objects.get(name="中国农业大学"), email="x@cau.edu.cn")
    backdate(sent, 8)
    now = timezone.now()
    reminded = remind(days=7, now=now)
    assert [i.pk for i in reminded] == [sent.pk]
    assert reminded[0].mailed_to == ["member@qhu.edu.cn"]
    sent.refresh_from_db()
    assert sent.reminder_count == 1 and sent.last_reminded_at == now
    assert [m.to for m in mail.outbox] == [["member@qhu.edu.cn"]]
    assert "提醒" in mail.outbox[0].subject and sent.listing.title in mail.outbox[0].subject
    event = history_for(sent).last()
    assert (event.action, event.actor_label) == (IntentAction.REMINDER, service.REMINDER_LABEL)

    # Not again until N days after the last reminder.
    assert remind(days=7, now=now + datetime.timedelta(days=6)) == []
    again = remind(days=7, now=now + datetime.timedelta(days=7, minutes=1))
    assert [i.reminder_count for i in again] == [2]
    sent.refresh_from_db()
    assert sent.reminder_count == 2 and len(mail.outbox) == 2


def test_no_reminder_for_answered_intents(remind, sent, member):
    member.email = "member@qhu.edu.cn"
    member.save()
    service.respond(member, sent, ST.INTERESTED, "")
    backdate(sent, 30)
    assert remind(days=7) == []
    sent.refresh_from_db()
    assert sent.reminder_count == 0 and mail.outbox == []


def test_no_reminder_once_the_listing_left_the_catalogue(remind, sent):
    backdate(sent, 30)
    Listing.objects.filter(pk=sent.listing_id).update(status=Listing.Status.WITHDRAWN)
    assert remind(days=7) == []


def test_reminder_without_member_addresses_is_still_recorded(remind, sent):
    backdate(sent, 8)
    [intent] = remind(days=7)
    assert intent.mailed_to == [] and intent.reminder_count == 1 and mail.outbox == []


def test_remind_intents_command(sent, member, capsys, django_capture_on_commit_callbacks):
    member.email = "member@qhu.edu.cn"
    member.save()
    backdate(sent, 3)
    call_command("remind_intents")
    assert "0 intent(s) reminded" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_intents", "--days", "2")
    out = capsys.readouterr().out
    assert f"reminded 青海大学 about {DEMAND} (reminder 1" in out
    assert "1 intent(s) reminded, 1 e-mail(s) sent." in out
    assert len(mail.outbox) == 1


# --- Follow-up -------------------------------------------------------------------------------------

def test_follow_up_counts(reviewer, listing, member, make_user, qinghai_university, cau):
    assert service.follow_up(listing).total == 0
    assert service.follow_up(listing).summary == "尚未定向发布。"
    others = list(Organisation.objects.filter(name__in=["兰州大学", "浙江大学"]))
    ids = [qinghai_university.pk, cau.pk] + [o.pk for o in others]
    intents = {i.organisation_id: i for i in service.send_intents(reviewer, listing, ids)}
    service.respond(member, intents[qinghai_university.pk], ST.PROPOSAL, "方案")
    service.respond(make_user("cau", organisation=cau), intents[cau.pk], ST.INTERESTED, "")
    service.respond(make_user("lzu", organisation=others[0]), intents[others[0].pk], ST.DECLINED, "")

    follow = service.follow_up(listing)
    assert follow.total == 4
    assert follow.counts == {ST.SENT: 1, ST.INTERESTED: 1, ST.DECLINED: 1, ST.PROPOSAL: 1}
    assert follow.interested == 2
    assert [i.organisation_id for i in follow.intents] == ids
    assert follow.summary == "已定向发布至 4 家机构，2 家有意向（其中 1 家已提交方案），1 家暂不合作，1 家尚未回复。"


def test_inbox_holds_only_the_user_s_organisation(reviewer, listing, sent, member, unverified, outsider, cau):
    service.send_intents(reviewer, listing, [cau.pk])
    assert list(service.inbox(member)) == [sent]
    assert list(service.inbox(unverified)) == []
    assert list(service.inbox(outsider)) == []


# --- From answer to deal ---------------------------------------------------------------------------

def test_a_positive_answer_opens_talks_with_the_owner(member, sent, listing, make_user):
    owner_member = make_user("owner", organisation=listing.owner)
    service.respond(member, sent, ST.INTERESTED, "可派团队现场调研")
    sent.refresh_from_db()
    inquiry = sent.inquiry
    assert inquiry is not None and inquiry.listing == listing
    assert inquiry.organisation_id == member.organisation_id and inquiry.counterpart_id == listing.owner_id
    [message] = inquiry.messages.all()
    assert "有合作意向" in message.body and "可派团队现场调研" in message.body
    listing.refresh_from_db()
    assert listing.status == Listing.Status.IN_TALKS
    moved = [e for e in history_for(listing) if e.to_value == Listing.Status.IN_TALKS]
    assert moved and moved[0].actor_label == service.TALKS_LABEL and "青海大学" in moved[0].reason
    # The owner's verified member is told, with the way to the talks.
    note = owner_member.notifications.get(topic=service.ANSWER_TOPIC)
    assert "有意向" in note.title and note.link == inquiry.get_absolute_url()

    # A proposal afterwards adds to the same talks; the listing stays in talks.
    service.respond(member, sent, ST.PROPOSAL, "联合攻关方案：两年，三个阶段")
    sent.refresh_from_db()
    assert sent.inquiry_id == inquiry.pk
    assert inquiry.messages.count() == 2 and "联合攻关方案" in inquiry.messages.last().body
    assert type(listing).objects.filter(market_inquiries__isnull=False, pk=listing.pk).count() == 1


def test_a_declining_answer_opens_no_talks_but_tells_the_owner(member, sent, listing, make_user):
    owner_member = make_user("owner", organisation=listing.owner)
    service.respond(member, sent, ST.DECLINED, "方向不符")
    sent.refresh_from_db()
    assert sent.inquiry is None and not listing.market_inquiries.exists()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED
    assert "暂不合作" in owner_member.notifications.get(topic=service.ANSWER_TOPIC).title


def test_a_talent_listing_keeps_the_answer_only(reviewer, member, qinghai_university):
    talent = Listing.objects.filter(kind=Listing.Kind.TALENT, status=Listing.Status.PUBLISHED).exclude(
        owner=qinghai_university).first()
    [intent] = service.send_intents(reviewer, talent, [qinghai_university.pk])
    service.respond(member, intent, ST.INTERESTED)
    intent.refresh_from_db()
    assert intent.status == ST.INTERESTED and intent.inquiry is None
    talent.refresh_from_db()
    assert talent.status == Listing.Status.PUBLISHED


def test_talks_that_cannot_open_leave_the_answer_unrecorded(member, sent, listing):
    # A control character the talks' messages refuse: the answer and the talks are one step, so neither is kept.
    with pytest.raises(IntentError, match="消息"):
        service.respond(member, sent, ST.INTERESTED, "可以\x07对接")
    sent.refresh_from_db()
    assert sent.status == ST.SENT and sent.responded_at is None and sent.inquiry is None
    assert not listing.market_inquiries.exists()


def test_the_owner_sees_the_answers_to_its_listings(member, sent, listing, make_user, outsider):
    owner_member = make_user("owner", organisation=listing.owner)
    assert not service.answers_to_own_listings(owner_member).exists()  # unanswered intents are not answers
    service.respond(member, sent, ST.INTERESTED)
    assert list(service.answers_to_own_listings(owner_member)) == [sent]
    assert not service.answers_to_own_listings(member).exists()
    assert not service.answers_to_own_listings(outsider).exists()
