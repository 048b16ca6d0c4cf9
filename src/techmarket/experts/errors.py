"""The expert pool's domain errors (techmarket.common.errors)."""

from techmarket.common.errors import InvalidInput, NotAllowed, Refused


class ExpertError(Refused):
    """A step on a profile or an assignment the rules refuse (400)."""


class ExpertInputError(InvalidInput):
    """A profile's value out of bounds (400)."""


class ExpertPermissionError(NotAllowed):
    """The user may not do this (403)."""


class NotEnoughExperts(ExpertError):
    """Fewer eligible experts than the draw asks for: nothing is recorded."""

    title = "专家人数不足"
