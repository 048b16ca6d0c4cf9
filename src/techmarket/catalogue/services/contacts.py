"""A listing's contact person and partner units as its organisation writes them (the member's form and the
services of services/listings.py).

The contact person is a directory Person linked through ListingContact, as the importer stores the contacts of
the seed compilation, so the detail page, the API and the export show both alike, and only to those who may see
contacts (directory.services.privacy). Partner units (合作单位) are resolved to organisations as the importer
resolves a unit's text (directory.services.organisations.resolve_unit) and linked as partners.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction

from techmarket.catalogue.models import Listing, ListingContact, ListingOrganisation
from techmarket.common.bounds import NAME_MAX, validate_single_line
from techmarket.directory.models import Organisation, Person
from techmarket.directory.services.contacts import normalise_phone
from techmarket.directory.services.organisations import find_organisation, resolve_unit, split_units

CONTACT_NAME_MAX = Person._meta.get_field("name").max_length  # 100
PHONE_MAX = 30  # characters as written (the account's phone has the same length)
PHONE_DIGITS = (7, 20)  # a local number without area code … an international number with an extension
EMAIL_MAX = 254
PARTNERS_MAX = 10
PARTNERS_TEXT_MAX = 2000
PARTNER_NAME_MIN = 2

PHONE_MESSAGE = "请填写有效的电话号码（手机或座机），如 13907712345 或 0971-6309962。"
EMAIL_MESSAGE = "请填写有效的电子邮箱地址，如 name@example.com。"
NAME_REQUIRED = "请填写联系人姓名。"
WAY_REQUIRED = "请至少填写联系电话或电子邮箱中的一项。"

_PHONE = re.compile(r"\+?[0-9]+(?:-[0-9]+)*")
_email_validator = EmailValidator(message=EMAIL_MESSAGE)


class ContactError(ValueError):
    """A contact or partner value out of bounds; `field` is the form field it belongs to, the message is for the
    user (Chinese)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ContactInput:
    """The contact person a member names: a name and at least one of a phone (mobile or landline) and an e-mail."""

    name: str
    phone: str = ""
    email: str = ""


def _normalise(value: str) -> str:
    # NFKC: full-width digits, "－" and "＠" typed with a Chinese input method become their ASCII forms.
    return unicodedata.normalize("NFKC", value or "").strip()


def clean_contact_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value or "").strip()
    if not name:
        raise ContactError("contact_name", NAME_REQUIRED)
    if len(name) > CONTACT_NAME_MAX:
        raise ContactError("contact_name", f"联系人姓名最多 {CONTACT_NAME_MAX} 个字（现有 {len(name)} 个）。")
    try:
        validate_single_line(name)
    except ValidationError as error:
        raise ContactError("contact_name", error.messages[0]) from None
    return name


def clean_phone(value: str) -> str:
    """A phone as stored: spaces, brackets and dots removed, "0971 6309962" → "0971-6309962"; "" when empty."""
    phone = _normalise(value)
    if not phone:
        return ""
    if len(phone) > PHONE_MAX:
        raise ContactError("contact_phone", f"电话号码最多 {PHONE_MAX} 个字符。")
    compact = re.sub(r"[\s().]", "", phone)
    digits = sum(ch.isdigit() for ch in compact)
    if not _PHONE.fullmatch(compact) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise ContactError("contact_phone", PHONE_MESSAGE)
    return normalise_phone(compact)


def clean_email(value: str) -> str:
    email = _normalise(value)
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        raise ContactError("contact_email", f"电子邮箱最多 {EMAIL_MAX} 个字符。")
    try:
        _email_validator(email)
    except ValidationError:
        raise ContactError("contact_email", EMAIL_MESSAGE) from None
    return email.lower()


def clean_contact(contact: ContactInput) -> ContactInput:
    """The contact within bounds and normalised, or ContactError naming the field."""
    name = clean_contact_name(contact.name)
    phone, email = clean_phone(contact.phone), clean_email(contact.email)
    if not phone and not email:
        raise ContactError("contact_phone", WAY_REQUIRED)
    return ContactInput(name, phone, email)


def default_contact(user) -> ContactInput | None:
    """The submitting user as the contact person: the name on the account, its phone and e-mail; None when they
    do not make a valid contact (no name, or neither a valid phone nor a valid e-mail)."""
    name = (getattr(user, "display_name", "") or user.get_full_name() or "").strip()
    phone = email = ""
    try:
        phone = clean_phone(getattr(user, "phone", "") or "")
    except ContactError:
        pass
    try:
        email = clean_email(user.email or "")
    except ContactError:
        pass
    try:
        return clean_contact(ContactInput(name, phone, email))
    except ContactError:
        return None


def current_contact(listing: Listing) -> ContactInput | None:
    """The listing's first contact person, as the form shows it (the first phone and the first e-mail)."""
    link = listing.contact_links.select_related("person").order_by("position", "id").first()
    if link is None:
        return None
    person = link.person
    return ContactInput(person.name, (person.phones or [""])[0], (person.emails or [""])[0])


def _same_contact(person: Person, contact: ContactInput) -> bool:
    return (person.name == contact.name and (not contact.phone or contact.phone in (person.phones or []))
            and (not contact.email or contact.email in (person.emails or [])))


def _person_for(contact: ContactInput, organisation: Organisation | None) -> Person:
    """The directory person with exactly this name, phone and e-mail, or a new one. Unlike the importer's
    matching, a member's entry never adds details to an existing person: that person may be the contact of other
    organisations' listings."""
    phones = [contact.phone] if contact.phone else []
    emails = [contact.email] if contact.email else []
    person = next((p for p in Person.objects.filter(name=contact.name).order_by("id")
                   if sorted(p.phones or []) == phones and sorted(p.emails or []) == emails), None)
    if person is None:
        person = Person(name=contact.name, phones=phones, emails=emails)
        person.full_clean(exclude=["organisations"])
        person.save()
    if organisation is not None:
        person.organisations.add(organisation)
    return person


def set_contact(listing: Listing, contact: ContactInput, organisation: Organisation | None) -> bool:
    """Make `contact` the listing's first contact person (any others stay after it). False when it already is.
    A person left without any listing is deleted: personal data is kept only while a listing names it."""
    contact = clean_contact(contact)
    links = list(listing.contact_links.select_related("person").order_by("position", "id"))
    if links and _same_contact(links[0].person, contact):
        return False
    person = _person_for(contact, organisation)
    previous = links[0].person if links else None
    others = [link.person_id for link in links[1:] if link.person_id != person.pk]
    ListingContact.objects.filter(listing=listing).delete()
    ListingContact.objects.bulk_create([ListingContact(listing=listing, person=person, position=0)] + [
        ListingContact(listing=listing, person_id=person_id, position=i) for i, person_id in enumerate(others, 1)])
    if previous is not None and previous.pk != person.pk and not ListingContact.objects.filter(
            person=previous).exists():
        previous.delete()
    return True


def clean_partner_names(text: str) -> list[str]:
    """The partner units written in one text (separated by 、，,;； or line breaks), without repeats; ContactError
    (field "partners") when one is out of bounds or there are too many."""
    text = unicodedata.normalize("NFC", text or "")
    if len(text) > PARTNERS_TEXT_MAX:
        raise ContactError("partners", f"合作单位最多 {PARTNERS_TEXT_MAX} 个字（现有 {len(text)} 个）。")
    names: list[str] = []
    for name in split_units(text.replace("\r", "\n")):
        name = " ".join(name.split())
        try:
            validate_single_line(name)
        except ValidationError as error:
            raise ContactError("partners", error.messages[0]) from None
        if len(name) < PARTNER_NAME_MIN:
            raise ContactError("partners", f"“{name}”不是完整的单位名称，请填写单位全称。")
        if len(name) > NAME_MAX:
            raise ContactError("partners", f"单位名称最多 {NAME_MAX} 个字：“{name[:20]}…”。")
        if name not in names:
            names.append(name)
    if len(names) > PARTNERS_MAX:
        raise ContactError("partners", f"合作单位最多填写 {PARTNERS_MAX} 个（现有 {len(names)} 个）。")
    return names


def _resolve(name: str) -> Organisation:
    """resolve_unit, safe against another request creating the same organisation meanwhile."""
    try:
        with transaction.atomic():
            return resolve_unit(name).organisation
    except IntegrityError:
        organisation = find_organisation(name)
        if organisation is None:
            return resolve_unit(name).organisation
        return organisation


def partner_names(listing: Listing) -> list[str]:
    links = listing.organisation_links.filter(role=ListingOrganisation.Role.PARTNER).select_related("organisation")
    return [link.organisation.name for link in links.order_by("position", "id")]


def set_partners(listing: Listing, names: list[str]) -> bool:
    """Make the named units the listing's partner units, in order (lead units stay as they are). True when the
    links changed."""
    names = clean_partner_names("\n".join(names))
    links = list(listing.organisation_links.order_by("position", "id"))
    leads = {link.organisation_id for link in links if link.role != ListingOrganisation.Role.PARTNER}
    wanted: list[Organisation] = []
    for name in names:
        organisation = _resolve(name)
        if organisation.pk not in leads and all(organisation.pk != o.pk for o in wanted):
            wanted.append(organisation)
    current = [link for link in links if link.role == ListingOrganisation.Role.PARTNER]
    if [link.organisation_id for link in current] == [o.pk for o in wanted]:
        return False
    start = max((link.position for link in links if link.organisation_id in leads), default=-1) + 1
    by_organisation = {link.organisation_id: link for link in current}
    for link in current:
        if link.organisation_id not in {o.pk for o in wanted}:
            link.delete()
    for position, organisation in enumerate(wanted, start):
        link = by_organisation.get(organisation.pk)
        if link is None:
            ListingOrganisation.objects.create(listing=listing, organisation=organisation,
                                               role=ListingOrganisation.Role.PARTNER, position=position)
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])
    if listing.source_document_id is None:  # a member's listing: the units as written are the linked ones
        listing.organisations_raw = "、".join(
            link.organisation.name for link in listing.organisation_links.select_related("organisation")
            .order_by("position", "id"))
    return True
