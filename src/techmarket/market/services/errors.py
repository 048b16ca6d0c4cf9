"""Errors of the market services. Their messages are for the user (Chinese); a refused step changes nothing.
They belong to the one domain-error family (techmarket.common.errors), which maps them to responses."""

from techmarket.common.errors import Conflict, NotAllowed, Refused


class MarketError(Refused):
    """A step the rules forbid."""


class MarketPermissionError(NotAllowed, MarketError):
    """The user may not take this step (not a party, not staff of this registry, not verified…)."""


class TransitionError(MarketError):
    """A registration transition the rules forbid (wrong status, duplicate, wrong registry…)."""


class AlreadyDone(Conflict, MarketError):
    """The same intent was already carried out (a double submission, or a concurrent request that came first):
    `existing` is the record it made, which the caller shows instead of making another."""

    def __init__(self, message: str, existing):
        super().__init__(message)
        self.existing = existing
