"""The permission layer: generic predicates (django-rules) and `require`.

Each app declares its permissions in `<app>/rules.py` (loaded by its AppConfig.ready), pretalx style:
`rules.add_perm("catalogue.edit_listing", is_listing_member | is_reviewer)`, combining these generic predicates with
its own object predicates. Views, the API and the CLI ask `allowed(user, "app.action", obj)` or `require(...)`;
no other module decides who may do what. (`user.has_perm` answers the same through rules' ObjectPermissionBackend,
except that Django grants an active superuser every permission: `allowed` asks the rule itself, so a superuser
who belongs to no organisation is not taken for one's member.) Rule names never equal a Django model
permission's name (those stay the roles' grants, asked through `has_django_perm`).

The refusal rule (docs/architecture.md, "Permissions and errors"): NotAllowed (403) with the reason, except where
the object's existence must stay hidden (drafts, other parties' inquiries, contracts, proposals): NotFound (404).

Only the role (group) names come from accounts.roles; common imports no other app.
"""

import functools

import rules
from django.contrib.auth.decorators import login_required

from techmarket.accounts.roles import REGISTRARS, REVIEWERS  # noqa: F401  (constants only)
from techmarket.common.errors import NotAllowed, NotFound


@rules.predicate
def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


@rules.predicate
def is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


@rules.predicate
def is_verified(user) -> bool:
    """Logged in, active, and verified by staff (real name and organisation checked)."""
    return bool(is_active(user) and user.is_verified)


@rules.predicate
def has_organisation(user) -> bool:
    return bool(is_authenticated(user) and user.organisation_id is not None)


# A verified, active user linked to an organisation: may act for it (write listings, inquire, apply…).
is_verified_member = is_verified & has_organisation


@rules.predicate
def is_staff(user) -> bool:
    return bool(is_active(user) and user.is_staff)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(is_active(user) and user.is_superuser)


def has_role(group_name: str):
    """Member of the role's group (accounts.roles), by the group itself."""

    @rules.predicate(name=f"has_role:{group_name}")
    def predicate(user) -> bool:
        return bool(is_active(user) and user.groups.filter(name=group_name).exists())

    return predicate


def has_django_perm(permission: str):
    """Granted the model permission (through a role's group, directly, or as a superuser: Django's ModelBackend)."""

    @rules.predicate(name=f"has_django_perm:{permission}")
    def predicate(user) -> bool:
        return bool(is_authenticated(user) and user.has_perm(permission))

    return predicate


# Contact persons' phones and e-mails (personal data): verified, active users, and superusers.
sees_contacts = is_active & (is_verified | is_superuser)


def allowed(user, perm: str, obj=None) -> bool:
    """Whether the rule `perm` grants `user` (anonymous or None included) the action, on `obj` if given."""
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None, message: str = "", hide: bool = False) -> None:
    """Raise unless `user` has `perm` (on `obj`): NotAllowed (403) with `message`, or NotFound (404) with `hide`,
    where the object's existence must stay hidden."""
    if allowed(user, perm, obj):
        return
    raise NotFound() if hide else NotAllowed(message)


def permission_required(perm: str, message: str, hide: bool = False):
    """A view decorator: log in first (anonymous users go to the log-in page), then `require` the permission."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require(request.user, perm, message=message, hide=hide)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
