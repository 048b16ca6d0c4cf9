"""The ecosystem's facts for the policy engine (techmarket.policy.services.facts): a broker's qualification and a
transfer institution's filing on a date, and the sanctions in force that block rewards to them
(services/standing.py)."""

from __future__ import annotations

import datetime

from techmarket.ecosystem.services.standing import standing
from techmarket.policy.services.facts import Standing, register_standing

CODE = "ecosystem.registers"


def lookup(role: str, name: str, organisation_id: int | None, on: datetime.date) -> Standing | None:
    found = standing(role, name, organisation_id, on)
    if found is None:
        return None
    return Standing(qualifications=found.qualifications, blocks=found.blocks)


register_standing(CODE, lookup)
