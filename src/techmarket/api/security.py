"""Authentication of the API: the Django session of the web interface, with its CSRF protection."""

from ninja.errors import HttpError
from ninja.security import SessionAuth
from ninja.utils import check_csrf


class SessionAuthCSRF(SessionAuth):
    """ninja's session auth with a CSRF check whose refusal is in Chinese like every other API error.

    Writes need a logged-in session and, like any form of the site, the CSRF token (header X-CSRFToken).
    """

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request):
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：请携带 csrftoken Cookie 及请求头 X-CSRFToken。")
        return request.COOKIES.get(self.param_name)


session_auth = SessionAuthCSRF()
