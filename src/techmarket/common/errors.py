"""One family of domain errors: a refused step, with a message for the user (Chinese), and the HTTP status it maps to.

Services raise these (or an app's own family, which subclasses them: MarketError, IntentError, ApplicationError…);
views that want to may catch them, add a message and redirect. Whatever no view catches is answered once: under
/api/ by the API's exception handler (JSON `{"detail": message}`), elsewhere by techmarket.common.web_errors (a
page with the reason). Each class also subclasses the Django exception of its status (PermissionDenied, Http404,
BadRequest), so that one raised where no middleware's process_exception sees it (a write view, which
AtomicWritesMiddleware calls itself) reaches the project's handler403/404/400, which answer it the same way.
The rule (docs/architecture.md, "Permissions and errors"): 403 with the reason, except where the object's very
existence must stay hidden (404).
"""

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404


class DomainError(Exception):
    """A step the rules refuse; nothing was changed. `message` (also `str(exc)`) is for the user."""

    status = 400
    title = "未能完成操作"
    default_message = "未能完成此操作。"

    def __init__(self, message: str = "", *args, title: str = ""):
        message = message or self.default_message
        super().__init__(message, *args)
        self.message = message
        if title:
            self.title = title

    def __str__(self) -> str:
        return self.message


class Refused(DomainError, BadRequest):
    """The state of things refuses the step (a transition from the wrong status, a closed period…): 400."""


class InvalidInput(DomainError, BadRequest):
    """The input is wrong (a value out of bounds, a malformed event, an unknown period): 400."""

    title = "输入有误"


def checked_model(obj, exclude=(), error: type[Exception] = InvalidInput) -> None:
    """A model instance's field validators run before it is saved (the database's constraints stay the last
    word); their messages, each with its field's name, joined into one `error` for the user."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        messages = []
        for name, errors in exc.message_dict.items():
            label = obj._meta.get_field(name).verbose_name if name != "__all__" else ""
            messages.extend(f"{label}：{e}" if label else e for e in errors)
        raise error("；".join(messages)) from None


class NotAllowed(DomainError, PermissionDenied):
    """The user may not do this; the message says why: 403."""

    status = 403
    title = "无权操作"
    default_message = "您没有执行此操作的权限。"


class NotFound(DomainError, Http404):
    """No such object, or one the user may not know exists (drafts, other parties' inquiries, contracts): 404."""

    status = 404
    title = "页面不存在"
    default_message = "未找到，或您无权查看。"


Hidden = NotFound


class Conflict(DomainError, BadRequest):
    """The same thing was already done (a double submission, a duplicate record): 409."""

    status = 409
    title = "重复提交"
    default_message = "与已有记录冲突（可能是重复提交），未保存任何内容。"
