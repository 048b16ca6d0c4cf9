"""The achievements' domain errors (techmarket.common.errors); every message is for the user (Chinese)."""

from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused


class AchievementError(Refused):
    """A step the state of things refuses (400)."""


class AchievementInputError(InvalidInput):
    """A value out of bounds or missing (400)."""


class AchievementPermissionError(NotAllowed):
    """The user may not take this step (403)."""


class AchievementHidden(NotFound):
    """Not there, or not the user's to see (404)."""


class AchievementDuplicate(Conflict):
    """The same thing was already done (409)."""
