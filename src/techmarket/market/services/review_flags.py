"""Signals for the registry's review (技术合同审查提示). A flag asks a person to look closer; it never refuses a
registration by itself. Parameters: data/market/review_flags.yaml; reasoning: docs/market.md, "Review flags".

- same-party: a seller and a buyer are one legal entity under two records (one is the other's alias, or their
  names are the same once spacing, brackets and width are ignored);
- related-parties: a seller's and a buyer's names contain one another (a unit and its subsidiary or department), or
  a contact person serves both;
- round-trip: an earlier or later contract, within the window, in which this contract's buyer sold to its seller;
- amount-outlier: a technology transaction amount ten times above or below the median of its type;
- threshold-cluster: several contracts of the same buyer just under an amount where a subsidy stops growing.
"""

from __future__ import annotations

import datetime
import re
import statistics as stats
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, prefetch_related_objects

from techmarket.directory.models import Organisation, OrganisationAlias, Person
from techmarket.market.models import Contract, Registration
from techmarket.market.services import sides
from techmarket.market.services.contracts import EFFECTIVE_REGISTRATION
from techmarket.market.services.rules import rules

LABELS = {
    "same-party": "当事人可能为同一主体",
    "related-parties": "当事人可能存在关联关系",
    "round-trip": "往返交易",
    "amount-outlier": "金额明显偏离同类合同",
    "threshold-cluster": "多份合同金额集中在补助封顶点之下",
}


@dataclass
class Flag:
    code: str
    detail: str
    related_contract_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.code]


_BRACKETS = re.compile(r"[()（）\[\]【】\s·.,，、\"'“”]")


def normalise_name(name: str) -> str:
    return _BRACKETS.sub("", unicodedata.normalize("NFKC", name)).lower()


def _names(organisation: Organisation) -> set[str]:
    aliases = OrganisationAlias.objects.filter(organisation=organisation).values_list("name", flat=True)
    return {normalise_name(organisation.name), *(normalise_name(a) for a in aliases)}


def _pairs(contract: Contract):
    """(seller, buyer) organisation pairs of the contract."""
    for seller in sides.sellers(contract):
        for buyer in sides.buyers(contract):
            yield seller.organisation, buyer.organisation


def _party_flags(contract: Contract) -> list[Flag]:
    flags = []
    for seller, buyer in _pairs(contract):
        seller_names, buyer_names = _names(seller), _names(buyer)
        if seller.pk == buyer.pk or seller_names & buyer_names:
            flags.append(Flag("same-party", f"“{seller.name}”与“{buyer.name}”名称或别名相同，可能为同一主体。"))
            continue
        if any(len(a) >= 4 and len(b) >= 4 and (a in b or b in a) for a in seller_names for b in buyer_names):
            flags.append(Flag("related-parties",
                              f"“{seller.name}”与“{buyer.name}”名称相互包含，可能为上下级或关联单位。"))
            continue
        shared = Person.objects.filter(organisations=seller).filter(organisations=buyer).values_list("name",
                                                                                                     flat=True)
        if shared:
            flags.append(Flag("related-parties",
                              f"“{seller.name}”与“{buyer.name}”有共同的联系人（{'、'.join(sorted(set(shared)))}）。"))
    return flags


def _round_trips(contract: Contract) -> list[Flag]:
    days = rules().flags["round_trip_days"]
    window = (contract.signed_on - datetime.timedelta(days=days), contract.signed_on + datetime.timedelta(days=days))
    flags = []
    seen = set()
    for seller, buyer in _pairs(contract):
        candidates = Contract.objects.filter(signed_on__range=window, parties__organisation=buyer).filter(
            pk__in=Contract.objects.filter(parties__organisation=seller).values("pk")).exclude(pk=contract.pk)
        for other in candidates.distinct().prefetch_related("parties__organisation"):
            reversed_pair = any(s.organisation_id == buyer.pk for s in sides.sellers(other)) and any(
                b.organisation_id == seller.pk for b in sides.buyers(other))
            if reversed_pair and other.pk not in seen:
                seen.add(other.pk)
                flags.append(Flag("round-trip", f"{days} 日内“{buyer.name}”又作为卖方与“{seller.name}”签订了合同"
                                  f"“{other.title}”（{other.signed_on}），技术与资金可能往返流动。", [other.pk]))
    return flags


def _outlier(contract: Contract) -> list[Flag]:
    config = rules().flags["outlier"]
    peers = [r.technology_amount for r in Registration.objects.filter(
        status__in=EFFECTIVE_REGISTRATION, contract__contract_type=contract.contract_type,
        technology_amount__isnull=False).exclude(contract=contract)]
    if len(peers) < config["min_peers"]:
        return []
    median = Decimal(str(stats.median(peers)))
    if median <= 0:
        return []
    ratio = Decimal(str(config["ratio"]))
    amount = contract.technology_amount
    name = rules().type_name(contract.contract_type)
    if amount >= median * ratio:
        return [Flag("amount-outlier", f"技术交易额 {amount} 元为同类（{name}，{len(peers)} 份已登记合同）中位数 "
                     f"{median:.2f} 元的 {amount / median:.1f} 倍。")]
    if amount * ratio <= median:
        return [Flag("amount-outlier", f"技术交易额 {amount} 元不足同类（{name}，{len(peers)} 份已登记合同）中位数 "
                     f"{median:.2f} 元的 1/{ratio}。")]
    return []


def _threshold_clusters(contract: Contract) -> list[Flag]:
    config = rules().flags["threshold_clusters"]
    band = config["band"]
    window = datetime.timedelta(days=config["window_days"])
    buyers = [p.organisation_id for p in sides.buyers(contract)]
    flags = []
    for threshold in config["thresholds"]:
        low, high = threshold["amount"] * (1 - band), threshold["amount"]
        if not (low <= contract.technology_amount < high):
            continue
        others = Contract.objects.filter(
            Q(parties__organisation_id__in=buyers), technology_amount__gte=low, technology_amount__lt=high,
            signed_on__range=(contract.signed_on - window, contract.signed_on + window),
        ).exclude(pk=contract.pk).distinct()
        others = [c for c in others.prefetch_related("parties")
                  if {p.organisation_id for p in sides.buyers(c)} & set(buyers)]
        if len(others) + 1 >= config["min_contracts"]:
            flags.append(Flag("threshold-cluster",
                              f"同一买方在 {config['window_days']} 日内有 {len(others) + 1} 份合同的技术交易额在 "
                              f"{low:.2f}–{high:.2f} 元之间，均略低于{threshold['label']}（{threshold['source']}），"
                              "可能为拆分合同。", [c.pk for c in others]))
    return flags


def flags_for(contract: Contract) -> list[Flag]:
    """Every review flag of a contract, computed now from the records."""
    # Each check goes through the contract's sellers and buyers: its parties and their organisations read once.
    prefetch_related_objects([contract], "parties__organisation")
    return _party_flags(contract) + _round_trips(contract) + _outlier(contract) + _threshold_clusters(contract)
