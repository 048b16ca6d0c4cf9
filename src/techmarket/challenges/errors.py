"""The challenges' domain errors (techmarket.common.errors); every message is for the user (Chinese)."""

from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, NotFound, Refused


class ChallengeError(Refused):
    """A step the state of the challenge refuses (400)."""


class ChallengeInputError(InvalidInput):
    """A value out of bounds or missing (400)."""


class ChallengePermissionError(NotAllowed):
    """The user may not take this step (403)."""


class ChallengeHidden(NotFound):
    """Not there, or not the user's to see (404)."""


class ChallengeDuplicate(Conflict):
    """The same thing was already done (409)."""
