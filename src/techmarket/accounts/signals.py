"""Role grants leave a line in the audit log: a user added to or removed from a role (a group), by whoever is
acting (audit.acting: the admin sets it), else by the system."""

import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS
from django.utils import translation

from techmarket.common import audit

GRANT, REVOKE = "role-grant", "role-revoke"


def _log(user, action: str, groups) -> None:
    actor = audit.current_actor()
    for group in groups:
        audit.log_action(user, action, actor if actor is not None and actor.is_authenticated else None,
                         to_value=group.name if action == GRANT else "",
                         from_value=group.name if action == REVOKE else "",
                         actor_label="" if actor is not None else "system", data={"group": group.name})


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed on User.groups (either side: user.groups.add(...) or group.user_set.add(...))."""
    if action == "pre_clear":
        # Who loses what is known only before the clear.
        instance._audit_cleared = (list(instance.groups.all()) if not reverse else list(instance.user_set.all()))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    what = GRANT if action == "post_add" else REVOKE
    if action == "post_clear":
        affected = getattr(instance, "_audit_cleared", [])
        pks = None
    else:
        affected, pks = None, pk_set or set()
    if not reverse:  # instance is a user, pk_set are groups
        _log(instance, what, affected if affected is not None else Group.objects.filter(pk__in=pks))
    else:  # instance is a group, pk_set are users
        users = affected if affected is not None else model.objects.filter(pk__in=pks)
        for user in users:
            _log(user, what, [instance])


# --- Permission names in Chinese -------------------------------------------------------------------------------

_BUILTIN_PERMISSION = re.compile(r"^Can (add|change|delete|view) (.+)$")
_VERBS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_permission_name(name: str, model=None) -> str:
    """'Can add 用户' -> '可新增用户'. Django names its built-in permissions in English when it creates them
    ('Can %s %s', never translated); the admin's role and user pages list them by that stored name."""
    match = _BUILTIN_PERMISSION.match(name)
    if not match:
        return name
    what = match.group(2)
    if model is not None:
        with translation.override(settings.LANGUAGE_CODE):
            what = str(model._meta.verbose_name)
    return f"可{_VERBS[match.group(1)]}{what}"


def chinese_permission_names(using=DEFAULT_DB_ALIAS, **kwargs) -> int:
    """post_migrate: rename the built-in permissions still named in English. Returns how many it renamed."""
    from django.contrib.auth.models import Permission

    renamed = 0
    for permission in (Permission.objects.using(using).select_related("content_type")
                       .filter(name__regex=_BUILTIN_PERMISSION.pattern)):
        name = chinese_permission_name(permission.name, permission.content_type.model_class())[:255]
        if name != permission.name:
            Permission.objects.using(using).filter(pk=permission.pk).update(name=name)
            renamed += 1
    return renamed
