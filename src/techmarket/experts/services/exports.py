"""The expert pool as a table (CSV or Excel), for `techmarket experts_export`. Phones and e-mails only when asked
(the operator's choice, `--contacts`)."""

from __future__ import annotations

from collections.abc import Iterable

from techmarket.common import tables
from techmarket.experts.models import Expert
from techmarket.experts.services.profiles import availability_label

HEADER = ["编号", "姓名", "职称", "工作单位", "所在地", "专业领域", "研究专长", "可参加评审情况", "核验状态"]
CONTACT_HEADER = ["电话", "电子邮箱"]


def rows(experts: Iterable[Expert], *, contacts: bool = False) -> list[list]:
    out = [HEADER + (CONTACT_HEADER if contacts else [])]
    for e in experts:
        row = [e.pk, e.name, e.title, e.organisation.name if e.organisation_id else "", e.region.name,
               "、".join(str(f) for f in e.fields.all()), e.specialities, availability_label(e),
               e.get_status_display()]
        out.append(row + ([e.phone, e.email] if contacts else []))
    return out


def as_csv(table: list[list]) -> bytes:
    return tables.as_csv(table[0], table[1:])


def as_xlsx(table: list[list]) -> bytes:
    return tables.as_xlsx(table[0], table[1:], "专家库")
