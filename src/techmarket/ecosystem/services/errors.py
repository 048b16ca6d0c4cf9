"""The ecosystem's domain errors (techmarket.common.errors)."""

from techmarket.common.errors import InvalidInput, NotAllowed, Refused


class EcosystemError(Refused):
    """A step the registers' rules refuse; the message is for the user (Chinese)."""


class EcosystemInputError(InvalidInput):
    """A value out of bounds or malformed."""


class EcosystemPermissionError(NotAllowed):
    """The user may not do this; the message says why."""
