"""Errors of the market services. Their messages are for the user (Chinese); a refused step changes nothing."""


class MarketError(Exception):
    """A step the rules forbid."""


class MarketPermissionError(MarketError):
    """The user may not take this step (not a party, not staff of this registry, not verified…)."""


class TransitionError(MarketError):
    """A registration transition the rules forbid (wrong status, duplicate, wrong registry…)."""
