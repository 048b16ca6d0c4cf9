"""Registration blockers: other apps may hold a contract back from registration without the market knowing them.

An app registers, in its AppConfig.ready(), a callable `blocker(contract) -> str | None` that returns the reason
(Chinese, for the user) the contract may not be submitted to registration now, or None. `registration.submit()`
asks every blocker and refuses with the first reason (TransitionError, nothing changed). Example: achievements
holds a transfer contract back while its agreed-price notice (协议定价公示) runs or an objection to it is open.
"""

from collections.abc import Callable

from techmarket.market.models import Contract

Blocker = Callable[[Contract], "str | None"]
_blockers: list[Blocker] = []


def register_registration_blocker(blocker: Blocker) -> None:
    """Add a blocker (idempotent: the same callable registered twice is asked once)."""
    if blocker not in _blockers:
        _blockers.append(blocker)


def registration_blocked(contract: Contract) -> str | None:
    """The first registered blocker's reason to hold `contract` back, or None."""
    for blocker in _blockers:
        reason = blocker(contract)
        if reason:
            return reason
    return None
