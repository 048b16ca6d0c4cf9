"""Information publishing and a matchmaking event in a real browser (issue 17's acceptance).

1. A notice goes through review to the home page and the feed: an editor writes it and submits it, a reviewer
   approves it from the desk, a visitor finds it on the home page and in the feed; withdrawn, it leaves both.
2. An event with 20 sign-ups (made by the test through the services), check-ins by the attendees' codes and three
   one-to-one meetings records an outcome that opens an inquiry on a linked listing; the organiser's statistics
   and the yearly statistics count them. The attendee and the organiser use phones' screens.

Debian's chromium through Playwright against a live server (fixtures: tests/web/conftest.py)."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from techmarket.accounts.roles import EDITORS, REVIEWERS, ensure_roles
from techmarket.catalogue.models import Listing
from techmarket.directory.models import Organisation
from techmarket.market.models import Inquiry
from techmarket.publishing.models import Article, Outcome
from techmarket.publishing.services import articles, events, meetings
from tests.web.browsing import log_in, make_user, submit
from tests.web.conftest import ensure_seed, needs_chromium
from tests.web.journeys import authored_words, new_page, page_problems

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


def _roles():
    """Roles and the seed listings, which a flush by an earlier live-server test (of this module too) removed."""
    if not Group.objects.filter(name=EDITORS).exists():
        ensure_roles()
    ensure_seed()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_notice_goes_through_review_to_the_home_page_and_the_feed(browser, live_server):
    _roles()
    make_user("pub-editor", None).groups.add(Group.objects.get(name=EDITORS))
    make_user("pub-reviewer", None).groups.add(Group.objects.get(name=REVIEWERS))
    base = live_server.url
    title = "关于举办2026年青海省科技成果直通车活动的通知"

    editor = log_in(browser, base, "pub-editor")
    editor.goto(base + "/publishing/desk/")
    with editor.expect_navigation():
        editor.click("#new-article")
    editor.select_option("#id_kind", "notice")
    editor.fill("#id_title", title)
    editor.fill("#id_summary", "面向全省科技型企业征集路演项目")
    editor.fill("#id_body", "<p>报名截止：6月30日。</p><script>alert(1)</script>")
    submit(editor, "#record-form button[type=submit]")
    submit(editor, "#submit-review")
    article = Article.objects.get(title=title)
    assert article.status == Article.Status.REVIEW and "script" not in article.body

    reviewer = log_in(browser, base, "pub-reviewer")
    reviewer.set_viewport_size(PHONE)
    reviewer.goto(base + "/publishing/desk/")
    with reviewer.expect_navigation():
        reviewer.click(f"#desk-review a:has-text('{title}')")
    submit(reviewer, "#approve-form button[type=submit]")
    assert "已审核通过" in reviewer.content()
    _fits(reviewer)

    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(base + "/")
    assert title in visitor.locator("#home-articles").inner_text()
    with visitor.expect_navigation():
        visitor.click(f"#home-articles a:has-text('{title}')")
    assert "报名截止" in visitor.locator("#article").inner_text()
    _fits(visitor)
    feed = visitor.request.get(base + "/publishing/feed/rss/")
    assert feed.ok and title in feed.text()
    assert title in visitor.request.get(base + "/publishing/feed/atom/").text()

    editor.goto(base + article.get_absolute_url())
    editor.fill("#id_withdraw-reason", "活动延期，通知作废")
    submit(editor, "#withdraw-form button[type=submit]")
    visitor.goto(base + "/")
    assert title not in visitor.locator("#home-articles").inner_text()
    assert title not in visitor.request.get(base + "/publishing/feed/rss/").text()
    assert visitor.request.get(base + article.get_absolute_url()).status == 404


def test_an_event_with_20_sign_ups_check_ins_and_meetings_opens_an_inquiry(browser, live_server):
    _roles()
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED,
                                   owner__isnull=False).order_by("pk").first()
    department = Organisation.objects.create(name="海西州科学技术局（测试）", kind=Organisation.Kind.GOVERNMENT)
    organiser = make_user("pub-organiser", department)
    start = (timezone.now() + datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    event = events.publish(organiser, events.create(organiser, events.EventInput(
        kind="matchmaking", title="柴达木盐湖资源技术对接会", organiser=department, starts_at=start,
        ends_at=start + datetime.timedelta(hours=4), capacity=20, place="格尔木市测试会展中心",
        requires_approval=False, listing_numbers=[offer.number])))
    people = []
    for n in range(1, 21):
        org = Organisation.objects.create(name=f"海西测试企业{n:02d}有限公司", kind=Organisation.Kind.ENTERPRISE)
        people.append(make_user(f"pub-attendee{n:02d}", org))
        events.sign_up(people[-1], event)
    signups = [events.own_signup(person, event) for person in people]
    base = live_server.url

    # The 21st is refused with the reason.
    make_user("pub-late", Organisation.objects.create(name="海西迟到企业有限公司"))
    late_page = log_in(browser, base, "pub-late")
    late_page.goto(base + event.get_absolute_url())
    submit(late_page, "#signup-form button[type=submit]")
    assert "名额已满：本活动限 20 人，已有 20 人报名，无法再报名。" in late_page.content()

    # The first attendee shows their code; the organiser types it in, then "scans" two more codes.
    attendee = log_in(browser, base, "pub-attendee01")
    attendee.set_viewport_size(PHONE)
    attendee.goto(base + f"/publishing/events/{event.pk}/attend/")
    assert attendee.locator("#checkin-code svg").count() == 1
    token = attendee.locator("#checkin-code p").inner_text().split("签到码：")[1].strip()
    _fits(attendee)
    desk = log_in(browser, base, "pub-organiser")
    desk.set_viewport_size(PHONE)
    desk.goto(base + f"/publishing/events/{event.pk}/manage/")
    desk.fill("#id_token", token)
    submit(desk, "#checkin-form button[type=submit]")
    submit(desk, "#confirm-checkin")
    assert "签到成功" in desk.content()
    for signup in signups[1:3]:
        desk.goto(base + events.checkin_path(signup))
        submit(desk, "#confirm-checkin")
    _fits(desk)

    # Three one-to-one meetings: one booked on the page, two through the services.
    slots = meetings.slots(event)
    attendee.goto(base + f"/publishing/events/{event.pk}/attend/")
    attendee.select_option("#id_book-invitee", str(signups[1].pk))
    attendee.select_option("#id_book-slot", slots[0].isoformat())
    attendee.fill("#id_book-topic", "吸附剂技术引进")
    submit(attendee, "#book-form button[type=submit]")
    assert "已预约一对一洽谈" in attendee.content()
    meetings.book(people[2], event, signups[3], slots[0])
    meetings.book(people[4], event, signups[5], slots[1])

    # The outcome: talks opened on the linked offer.
    attendee.select_option("#id_outcome-kind", "inquiry")
    attendee.select_option("#id_outcome-listing", str(offer.pk))
    attendee.fill("#id_outcome-note", "会上洽谈，拟引进该技术")
    submit(attendee, "#outcome-form button[type=submit]")
    assert "并就该条目发起洽谈" in attendee.content()
    inquiry = Inquiry.objects.get(listing=offer, organisation=people[0].organisation)
    outcome = Outcome.objects.get(event=event, kind=Outcome.Kind.INQUIRY)
    assert outcome.inquiry == inquiry and inquiry.status == Inquiry.Status.OPEN

    desk.goto(base + f"/publishing/events/{event.pk}/manage/")
    assert desk.locator("#stat-approved").inner_text() == "20"
    assert desk.locator("#stat-checked-in").inner_text() == "3"
    assert desk.locator("#stat-meetings").inner_text() == "3"
    assert "洽谈" in desk.locator("#outcome-list").inner_text()
    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(base + f"/publishing/events/statistics/?year={start.year}")
    row = visitor.locator(f"#year-table tr:has-text('{event.title}')").inner_text()
    assert "20" in row and "3" in row and "洽谈 1" in row
    _fits(visitor)


def _person(username: str, organisation, name: str):
    user = make_user(username, organisation)
    user.display_name = name
    user.save(update_fields=["display_name"])
    return user


def test_publishing_pages_meet_the_house_rules_on_a_phone(browser, live_server):
    """Every publishing page, as the role it is for, at 390 px: Chinese words only, no codes, no sideways
    scrolling, 44 px targets, nothing cut off, no serious axe violation (tests/web/journeys.py)."""
    _roles()
    offer = Listing.objects.filter(kind=Listing.Kind.OFFER, status=Listing.Status.PUBLISHED,
                                   owner__isnull=False).order_by("pk").first()
    editor = _person("rules-editor", None, "信息编辑")
    editor.groups.add(Group.objects.get(name=EDITORS))
    reviewer = _person("rules-reviewer", None, "审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    public = articles.create(editor, articles.ArticleInput(
        kind="policy", title="青海省技术市场管理办法（全文）", body="<h2>第一章</h2><p>总则。</p><ul><li>一</li></ul>",
        policy_document=articles.policy_documents()[0][0], summary="政策文件全文"))
    articles.submit(editor, public)
    articles.approve(reviewer, public)
    in_review = articles.create(editor, articles.ArticleInput(kind="news", title="工作动态稿件", body="<p>正文</p>"))
    articles.submit(editor, in_review)
    department = Organisation.objects.create(name="西宁市科学技术局（测试）", kind=Organisation.Kind.GOVERNMENT)
    organiser = _person("rules-organiser", department, "组织者")
    start = (timezone.now() + datetime.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    event = events.publish(organiser, events.create(organiser, events.EventInput(
        kind="roadshow", title="高原生物医药成果路演", organiser=department, starts_at=start,
        ends_at=start + datetime.timedelta(hours=3), capacity=30, place="西宁市测试路演中心", agenda="09:00 开幕",
        listing_numbers=[offer.number])))
    first = _person("rules-attendee1", Organisation.objects.create(name="西宁测试生物科技有限公司"), "张三")
    second = _person("rules-attendee2", Organisation.objects.create(name="海东测试制药有限公司"), "李四")
    for person in (first, second):
        events.decide(organiser, events.sign_up(person, event).signup, True)
    signup = events.own_signup(second, event)
    events.sign_up(_person("rules-pending", Organisation.objects.create(name="海南州测试企业"), "王五"), event)
    base = live_server.url
    pages = {
        "": ["/", "/publishing/", public.get_absolute_url(), "/publishing/events/", event.get_absolute_url(),
             "/publishing/events/statistics/"],
        "rules-editor": ["/publishing/desk/", "/publishing/desk/new/", in_review.get_absolute_url()],
        "rules-reviewer": [in_review.get_absolute_url(), public.get_absolute_url()],
        "rules-organiser": [f"/publishing/events/{event.pk}/manage/", "/publishing/events/new/",
                            events.checkin_path(signup), "/publishing/events/mine/"],
        "rules-attendee1": [f"/publishing/events/{event.pk}/attend/", event.get_absolute_url()],
    }
    problems = []
    for username, paths in pages.items():
        page = new_page(browser, PHONE, base, username)
        for path in paths:
            page.goto(base + path)
            found = page_problems(page, phone=True, quoted=authored_words())
            problems.extend(f"{username or 'visitor'} {path}: {p}" for p in found)
        page.context.close()
    assert not problems, "\n".join(problems)
