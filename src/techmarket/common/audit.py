"""The audit log (操作记录): one record of every state change and every administrative act, for every domain.

A service that changes something writes one line with `log_action(obj, action, actor, ...)` in its own
transaction; a page shows an object's history with `history_for(obj)`; staff see everything in the admin (操作记录),
per object and per user (`history_by(user)`).

Action codes are the domain's own (`"transition"`, `"register"`, `"verify"`); each app registers what its codes
are called, per model, in its AppConfig.ready():

    audit.register_actions("market.registration", RegistrationAction, values=Registration.Status)

so this module names no domain app. `values` (optional) labels the from/to values (statuses) of that model's
entries.
"""

import contextlib
import contextvars
from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from techmarket.common.models import AUDIT_VALUE_MAX, AuditEntry

# Who acted, for entries written without a user.
ACTOR_LABELS = {"import": "数据导入", "expiry": "系统（有效期到期）", "system": "系统", "scheduler": "系统（定时任务）",
                "data-sync": "数据文件同步", "talks": "系统（定向发布回复后开启洽谈）"}

# Labels of actions any model may have (admin edits), used when the model registers none of its own.
GENERIC_ACTIONS = {"create": "新建", "change": "修改", "delete": "删除"}

# Who is acting, for entries written where no user is passed (signal handlers: group membership, registry staff).
_acting = contextvars.ContextVar("audit_acting", default=None)

_actions: dict[str, dict[str, str]] = {}
_values: dict[str, dict[str, str]] = {}


def _key(model) -> str:
    """'app_label.modelname' of a model, an instance or a label."""
    if isinstance(model, str):
        app_label, _, name = model.partition(".")
        return f"{app_label}.{name.lower()}"
    return model._meta.label_lower


def _choices(labels) -> dict[str, str]:
    if isinstance(labels, Mapping):
        return {str(k): str(v) for k, v in labels.items()}
    pairs = labels.choices if hasattr(labels, "choices") else labels  # TextChoices, or (value, label) pairs
    return {str(value): str(label) for value, label in pairs}


def register_actions(model, actions, *, values=None) -> None:
    """Name a model's action codes (and optionally its from/to values) for display. `actions` and `values` are a
    TextChoices class or a mapping of code to Chinese label. Registering again adds to what is there."""
    key = _key(model)
    _actions.setdefault(key, {}).update(_choices(actions))
    if values is not None:
        _values.setdefault(key, {}).update(_choices(values))


def _model_key(content_type_id: int) -> str:
    ct = ContentType.objects.get_for_id(content_type_id)
    return f"{ct.app_label}.{ct.model}"


def action_label(content_type_id: int, action: str) -> str:
    labels = _actions.get(_model_key(content_type_id), {})
    return labels.get(action) or GENERIC_ACTIONS.get(action) or action


def value_label(content_type_id: int, value: str) -> str:
    if not value:
        return ""
    return _values.get(_model_key(content_type_id), {}).get(value, value)


def action_choices() -> list[tuple[str, str]]:
    """Every registered action code with its label(s), for filters."""
    seen: dict[str, set[str]] = {}
    for labels in [GENERIC_ACTIONS, *_actions.values()]:
        for code, label in labels.items():
            seen.setdefault(code, set()).add(label)
    return sorted((code, "／".join(sorted(labels))) for code, labels in seen.items())


@contextlib.contextmanager
def acting(user):
    """Within the block, entries written without an actor are attributed to `user` (the admin wraps its saves in
    this, so that the signals it sets off name the staff member)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor():
    return _acting.get()


def _clip(value) -> str:
    value = "" if value is None else str(value)
    return value[:AUDIT_VALUE_MAX]


def label_of(obj: Model) -> str:
    """How the log names an object: its `audit_label` if it has one (a listing's reference), else str(obj)."""
    label = getattr(obj, "audit_label", None)
    return str(label) if label else str(obj)


def entry(obj: Model, action: str, actor=None, *, from_value="", to_value="", reason="", data=None,
          actor_label="", at=None, target_label=None) -> AuditEntry:
    """An unsaved entry (for bulk writes, e.g. an import); log_action writes one."""
    fields = {"at": at} if at is not None else {}
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(obj.__class__), object_id=obj.pk,
        target_label=_clip(label_of(obj) if target_label is None else target_label),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None, actor_label=actor_label,
        action=action, from_value=_clip(from_value), to_value=_clip(to_value), reason=reason or "",
        data=data or {}, **fields)


def log_action(obj: Model, action: str, actor=None, *, from_value="", to_value="", reason="", data=None,
               actor_label="", at=None, target_label=None) -> AuditEntry:
    """Record that `actor` (a user, or none with `actor_label` saying who: "import", "system") did `action` to
    `obj`. Call it inside the transaction that makes the change, so the record and the change stand or fall
    together."""
    record = entry(obj, action, actor, from_value=from_value, to_value=to_value, reason=reason, data=data,
                   actor_label=actor_label, at=at, target_label=target_label)
    record.save()
    return record


def _target_q(obj) -> Q:
    if isinstance(obj, QuerySet):
        ct = ContentType.objects.get_for_model(obj.model)
        return Q(content_type=ct, object_id__in=obj.values("pk"))
    return Q(content_type=ContentType.objects.get_for_model(obj.__class__), object_id=obj.pk)


def history_for(*objects) -> QuerySet[AuditEntry]:
    """The entries about the given objects (instances, or querysets of them), oldest first."""
    query = Q(pk__in=[])
    for obj in objects:
        if obj is None:
            continue
        if isinstance(obj, Iterable) and not isinstance(obj, (QuerySet, Model)):
            for item in obj:
                query |= _target_q(item)
        else:
            query |= _target_q(obj)
    return AuditEntry.objects.filter(query).select_related("actor").order_by("at", "id")


def history_of_model(model, ids=None) -> QuerySet[AuditEntry]:
    """The entries about objects of one model (those with the given ids, if any): for list pages and
    subqueries (`.filter(object_id=OuterRef("pk"))`)."""
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    return entries if ids is None else entries.filter(object_id__in=ids)


def history_by(user) -> QuerySet[AuditEntry]:
    """What a user did, newest first."""
    return AuditEntry.objects.filter(actor=user).select_related("content_type").order_by("-at", "-id")
