"""Relations between organisations as the market records them, for other domains (the expert pool's conflict
checks) that must not read the market's tables themselves."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from techmarket.market.models import ContractParty


def contract_partners(organisation_ids: Iterable[int], since: datetime.date) -> set[int]:
    """The organisations that were parties to a technology contract recorded on the platform, signed on or after
    `since`, together with any of `organisation_ids` (the given organisations themselves are not included)."""
    ids = {int(i) for i in organisation_ids}
    if not ids:
        return set()
    contracts = ContractParty.objects.filter(organisation_id__in=ids, contract__signed_on__gte=since).values(
        "contract_id")
    partners = ContractParty.objects.filter(contract_id__in=contracts).values_list("organisation_id", flat=True)
    return set(partners) - ids
