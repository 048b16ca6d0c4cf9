"""Who may see personal contact details (names, phones, e-mails of contact persons).

Contact persons' details are personal data: only active users who staff have verified (or superusers)
see them. Everyone else sees nothing personal at all: no names, no phones, no e-mails. Templates must
get contact details from `listing_contacts` only, never from `Listing.contacts_raw` or `Person` directly.
"""

from dataclasses import dataclass, field

from techmarket.common.permissions import allowed


@dataclass(frozen=True)
class ContactDetails:
    name: str
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


def can_see_contacts(user) -> bool:
    return allowed(user, "accounts.see_contacts")


def listing_contacts(listing, user) -> list[ContactDetails]:
    """The listing's contact persons with their phones and e-mails, or an empty list when the user may not
    see them."""
    if not can_see_contacts(user):
        return []
    links = listing.contact_links.select_related("person").prefetch_related("person__organisations")
    return [
        ContactDetails(
            name=link.person.name,
            phones=list(link.person.phones or []),
            emails=list(link.person.emails or []),
            organisations=[o.name for o in link.person.organisations.all()],
        )
        for link in links
    ]
