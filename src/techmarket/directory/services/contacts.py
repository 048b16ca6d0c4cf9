"""Parsing the 联系方式 cell of a compilation into people, phones and e-mails, and matching people."""

import re
from dataclasses import dataclass, field

from techmarket.directory.models import Organisation, Person
from techmarket.directory.services.organisations import looks_like_organisation

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_PHONE = r"\d[\d-]{5,}\d"
_NAME = r"[\u4e00-\u9fff·]{2,}"
_TOKEN = re.compile(f"(?P<email>{_EMAIL})|(?P<phone>{_PHONE})|(?P<name>{_NAME})")
# "13,007,796,399": a phone number formatted as an amount by a spreadsheet.
_GROUPED_DIGITS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


@dataclass
class ContactEntry:
    name: str
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    organisation_hint: str = ""


@dataclass
class ParsedContacts:
    entries: list[ContactEntry]
    warnings: list[str]


def normalise_phone(raw: str) -> str:
    digits = raw.replace(" ", "")
    if re.fullmatch(r"0\d{9,11}", digits) and not digits.startswith("01"):
        # 09716309962 → 0971-6309962 (area codes of Qinghai and most of China are four digits).
        return f"{digits[:4]}-{digits[4:]}"
    return digits


def parse_contacts(raw: str, find_organisation=None) -> ParsedContacts:
    """Split a contact cell into people with their details.

    Details belong to the name written before them. When several names come before a run of details
    and the counts of names and phones agree, they are paired in order; otherwise every name of the run
    gets all the details and a warning says so. An organisation name among the tokens is kept as the
    hint of the people after it; a cell with details but no person name gets an entry named after the
    organisation (an office line). `find_organisation`, when given, replaces the database look-up of
    known organisation names.
    """
    text = _GROUPED_DIGITS.sub("", raw or "")
    groups: list[tuple[list[str], list[str], list[str], str]] = []  # names, phones, emails, org hint
    hint = ""
    names: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    warnings: list[str] = []

    def flush():
        nonlocal names, phones, emails
        if names or phones or emails:
            groups.append((names, phones, emails, hint))
        names, phones, emails = [], [], []

    for match in _TOKEN.finditer(text):
        if match["name"]:
            token = match["name"]
            if (looks_like_organisation(token, find_organisation) if find_organisation
                    else looks_like_organisation(token)):
                flush()
                hint = token
                continue
            if phones or emails:
                flush()
            names.append(token)
        elif match["phone"]:
            phones.append(normalise_phone(match["phone"]))
        else:
            emails.append(match["email"].lower())
    flush()

    entries: list[ContactEntry] = []
    for group_names, group_phones, group_emails, group_hint in groups:
        if not group_names:
            if entries and not group_hint:
                entries[-1].phones += group_phones
                entries[-1].emails += group_emails
            else:
                entries.append(ContactEntry(group_hint or "联系人", group_phones, group_emails, group_hint))
            continue
        if len(group_names) == 1:
            entries.append(ContactEntry(group_names[0], group_phones, group_emails, group_hint))
        elif len(group_names) == len(group_phones):
            for i, name in enumerate(group_names):
                last = i == len(group_names) - 1
                entries.append(ContactEntry(name, [group_phones[i]], group_emails if last else [], group_hint))
        else:
            if group_phones or group_emails:
                warnings.append(
                    f"{'、'.join(group_names)} share {len(group_phones)} phone(s) and {len(group_emails)} e-mail(s);"
                    " each is given all of them"
                )
            for name in group_names:
                entries.append(ContactEntry(name, list(group_phones), list(group_emails), group_hint))
    return ParsedContacts(entries, warnings)


def match_or_create_person(entry: ContactEntry, organisation: Organisation | None) -> tuple[Person, bool]:
    """The same name with a shared phone or e-mail (or with no details on either side) is the same person."""
    details = set(entry.phones) | set(entry.emails)
    for person in Person.objects.filter(name=entry.name).order_by("id"):
        known = set(person.phones) | set(person.emails)
        if (details & known) or not details or not known:
            person.phones = person.phones + [p for p in entry.phones if p not in person.phones]
            person.emails = person.emails + [e for e in entry.emails if e not in person.emails]
            person.save(update_fields=["phones", "emails"])
            if organisation:
                person.organisations.add(organisation)
            return person, False
    person = Person.objects.create(name=entry.name, phones=entry.phones, emails=entry.emails)
    if organisation:
        person.organisations.add(organisation)
    return person, True


class PersonPlan:
    """`match_or_create_person` for a bulk writer: the people of the given names are read once; matches,
    new people and their organisations are planned in memory (later entries see earlier ones, as if each
    had been written at once). `write()` saves the plan, in the caller's transaction."""

    def __init__(self, names):
        self.by_name: dict[str, list[Person]] = {}
        names = sorted(set(names))
        for start in range(0, len(names), 500):
            for person in Person.objects.filter(name__in=names[start:start + 500]).order_by("id"):
                self.by_name.setdefault(person.name, []).append(person)
        self._original = [(person, list(person.phones), list(person.emails))
                          for people in self.by_name.values() for person in people]
        ids = [person.pk for people in self.by_name.values() for person in people]
        self._linked = set()  # (person id, organisation id) already in the database
        for start in range(0, len(ids), 500):
            self._linked.update(Person.organisations.through.objects.filter(
                person_id__in=ids[start:start + 500]).values_list("person_id", "organisation_id"))
        self.new_people: list[Person] = []
        self._links: dict[tuple[int, int], tuple[Person, Organisation]] = {}

    def match(self, entry: ContactEntry, organisation: Organisation | None) -> tuple[Person, bool]:
        details = set(entry.phones) | set(entry.emails)
        for person in self.by_name.get(entry.name, []):
            known = set(person.phones) | set(person.emails)
            if (details & known) or not details or not known:
                person.phones = person.phones + [p for p in entry.phones if p not in person.phones]
                person.emails = person.emails + [e for e in entry.emails if e not in person.emails]
                self._link(person, organisation)
                return person, False
        person = Person(name=entry.name, phones=list(entry.phones), emails=list(entry.emails))
        self.by_name.setdefault(entry.name, []).append(person)
        self.new_people.append(person)
        self._link(person, organisation)
        return person, True

    def _link(self, person: Person, organisation: Organisation | None) -> None:
        if organisation is not None:
            self._links.setdefault((id(person), id(organisation)), (person, organisation))

    def changed_people(self) -> list[Person]:
        """Existing people whose phones or e-mails the plan extends."""
        return [person for person, phones, emails in self._original
                if (person.phones, person.emails) != (phones, emails)]

    def write(self) -> None:
        """Save new people and changed details; then `organisation_links()` gives the rows linking people to
        organisations that were not there when planning (insert them ignoring conflicts: one may have been
        added meanwhile)."""
        Person.objects.bulk_create(self.new_people)
        Person.objects.bulk_update(self.changed_people(), ["phones", "emails"])

    def organisation_links(self) -> list[tuple[int, int]]:
        pairs = ((person.pk, org.pk) for person, org in self._links.values())
        return [pair for pair in pairs if pair not in self._linked]
