"""Resolving the organisation names written in compilations to Organisation records."""

import re
from dataclasses import dataclass

from techmarket.directory.models import Organisation, OrganisationAlias, Region

# Separators between units in one cell; commas inside parentheses are not separators.
_UNIT_SEPARATORS = "、，,;；\n"
_PAREN = re.compile(r"^(?P<name>.+?)[（(](?P<inner>[^）)]+)[）)]$")

# First matching rule wins; order matters (科学院 before 学院, 研究生院 before 研究院).
_KIND_RULES: list[tuple[str, str]] = [
    (r"相关|^合作社$", Organisation.Kind.GROUP),
    (r"医院", Organisation.Kind.HOSPITAL),
    (r"科学院(?!大学)|研究所|研究院|研究中心|实验室|智库|检验检测|检测院|设计院", Organisation.Kind.INSTITUTE),
    (r"研究生院|大学|学院", Organisation.Kind.UNIVERSITY),
    (r"银行|保险|基金|担保|融资", Organisation.Kind.FINANCIAL_INSTITUTION),
    (r"技术转移|成果转化中心|生产力促进中心", Organisation.Kind.TRANSFER_INSTITUTION),
    (r"协会|学会|联合会|商会", Organisation.Kind.ASSOCIATION),
    (r"公司|集团|企业|厂$|农场|药业|事务所|骆驼场", Organisation.Kind.ENTERPRISE),
    (r"合作社", Organisation.Kind.COOPERATIVE),
    (r"园区", Organisation.Kind.PARK),
    (r"人民政府|局$|厅$|委员会|县$|州$|市$|区$", Organisation.Kind.GOVERNMENT),
    (r"站$|中心$|总站", Organisation.Kind.PUBLIC_INSTITUTION),
]


@dataclass
class ResolvedOrganisation:
    organisation: Organisation
    created: bool


def split_units(raw: str) -> list[str]:
    """Split a cell naming one or more units, keeping parenthesised parts with their unit."""
    parts, depth, current = [], 0, []
    for char in raw:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and char in _UNIT_SEPARATORS:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def guess_kind(name: str) -> str:
    for pattern, kind in _KIND_RULES:
        if re.search(pattern, name):
            return kind
    return Organisation.Kind.OTHER


def guess_region(name: str, regions: list[Region] | None = None) -> Region | None:
    """The region an organisation's name reveals: a Qinghai prefecture, another province, or the province."""
    regions = regions if regions is not None else list(Region.objects.all())
    ordered = sorted(regions, key=lambda r: (r.kind != Region.Kind.PREFECTURE, r.position))
    for region in ordered:
        if any(keyword in name for keyword in region.keywords):
            return region
    if "青海" in name:
        return next((r for r in regions if r.kind == Region.Kind.PROVINCE), None)
    return None


def find_organisation(name: str) -> Organisation | None:
    org = Organisation.objects.filter(name=name).first()
    if org:
        return org
    alias = OrganisationAlias.objects.select_related("organisation").filter(name=name).first()
    return alias.organisation if alias else None


def resolve_unit(text: str, regions: list[Region] | None = None) -> ResolvedOrganisation:
    """Find or create the organisation a unit's text names; a parenthesised second name becomes an alias."""
    text = text.strip()
    alias = None
    match = _PAREN.match(text)
    if match and len(match["inner"]) >= 4:
        text, alias = match["name"].strip(), match["inner"].strip()
    org = find_organisation(text) or (find_organisation(alias) if alias else None)
    created = False
    if org is None:
        org = Organisation.objects.create(name=text, kind=guess_kind(text), region=guess_region(text, regions))
        created = True
    if alias and alias != org.name:
        OrganisationAlias.objects.get_or_create(name=alias, defaults={"organisation": org})
    return ResolvedOrganisation(org, created)


def looks_like_organisation(text: str, find=find_organisation) -> bool:
    return len(text) >= 4 and (guess_kind(text) != Organisation.Kind.OTHER or find(text) is not None)


class OrganisationPlan:
    """`find_organisation` and `resolve_unit` for a bulk writer: every organisation and alias is read once,
    and what would be created is planned instead (unsaved objects, in `new_organisations` and `new_aliases`)
    and found by later look-ups, so the answers are those the one-by-one functions would give if each
    creation had been written at once. `write()` saves the plan, in the caller's transaction."""

    def __init__(self, regions: list[Region] | None = None):
        self.regions = regions if regions is not None else list(Region.objects.select_related("parent"))
        self.by_name: dict[str, Organisation] = {
            org.name: org for org in Organisation.objects.select_related("region__parent")}
        by_pk = {org.pk: org for org in self.by_name.values()}
        self.by_alias: dict[str, Organisation] = {
            name: by_pk[org_id] for name, org_id in OrganisationAlias.objects.values_list("name", "organisation_id")}
        self.new_organisations: list[Organisation] = []
        self.new_aliases: list[OrganisationAlias] = []

    def find(self, name: str) -> Organisation | None:
        return self.by_name.get(name) or self.by_alias.get(name)

    def resolve(self, text: str) -> ResolvedOrganisation:
        text = text.strip()
        alias = None
        match = _PAREN.match(text)
        if match and len(match["inner"]) >= 4:
            text, alias = match["name"].strip(), match["inner"].strip()
        org = self.find(text) or (self.find(alias) if alias else None)
        created = False
        if org is None:
            org = Organisation(name=text, kind=guess_kind(text), region=guess_region(text, self.regions))
            self.by_name[text] = org
            self.new_organisations.append(org)
            created = True
        if alias and alias != org.name and alias not in self.by_alias:
            self.by_alias[alias] = org
            self.new_aliases.append(OrganisationAlias(name=alias, organisation=org))
        return ResolvedOrganisation(org, created)

    def write(self) -> None:
        Organisation.objects.bulk_create(self.new_organisations)
        OrganisationAlias.objects.bulk_create(self.new_aliases)
