"""An event as an iCalendar file (RFC 5545), written with the `icalendar` package: one VEVENT with its time in
UTC, place or online link, organiser and a stable UID, so calendars update the entry when it is imported again."""

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from techmarket.common.notifications import site_url
from techmarket.publishing.models import Event

PRODUCT = "-//青海科技开放合作平台//对接活动//ZH"


def ics(event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    entry = CalendarEvent()
    entry.add("uid", f"publishing-event-{event.pk}@techmarket")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", f"{event.get_kind_display()}：{event.title}")
    entry.add("location", event.place or event.online_url)
    lines = [event.summary, f"主办单位：{event.organiser.name}", event.agenda]
    if event.online_url:
        lines.append(f"线上参会：{event.online_url}")
    entry.add("description", "\n".join(line for line in lines if line))
    url = site_url(event.get_absolute_url())
    if url.startswith("http"):
        entry.add("url", url)
    entry.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    entry.add("last-modified", event.updated_at)
    calendar.add_component(entry)
    return calendar.to_ical()
