"""The registers as files (CSV, Excel): `techmarket export_register` and the JSON API share these rows.
Identity numbers and personal contacts are never part of them."""

from __future__ import annotations

from techmarket.common import tables
from techmarket.ecosystem.services import brokers as broker_service
from techmarket.ecosystem.services import institutions as institution_service

INSTITUTION_HEADER = ["机构名称", "单位", "地区", "机构类型", "状态", "备案日期", "歇业日期", "服务项目",
                      "专职从业人员", "平台成交合同数", "平台成交技术交易额（元）", "处理决定"]
REGISTRY_HEADER = ["登记机构", "依托法人单位", "服务范围", "持证专职登记员（人）", "第十五条未满足的条件",
                   "本年登记合同数", "本年认定技术交易额（元）", "累计登记合同数", "累计认定技术交易额（元）",
                   "处理决定"]
BROKER_HEADER = ["姓名", "所在单位", "所属技术转移机构", "资格状态", "考核合格日期", "证书编号", "经纪合同数",
                 "处理决定"]


def _sanctions(items) -> str:
    return "；".join(f"{s.get_kind_display()} {s.starts_on:%Y-%m-%d}" + (f"至{s.ends_on:%Y-%m-%d}" if s.ends_on else "")
                    + f"（{s.article}）" for s in items)


def institution_rows() -> list[list]:
    rows = []
    for i in institution_service.register():
        record = institution_service.record(i)
        rows.append([i.name, i.organisation.name, i.organisation.region.name if i.organisation.region else "",
                     i.get_kind_display(), institution_service.standing_label(i),
                     i.approved_on.isoformat() if i.approved_on else "", i.closed_on.isoformat() if i.closed_on else "",
                     i.services, i.full_time_staff, len(record), float(sum(c.technology_amount for c in record)),
                     _sanctions(i.sanctions.all())])
    return rows


def broker_rows() -> list[list]:
    rows = []
    for broker, _status in broker_service.register():
        passed = [t for t in broker.trainings.all() if t.result == "passed"]
        rows.append([broker.name, broker.organisation.name if broker.organisation else "",
                     broker.institution.name if broker.institution else "", broker_service.status_label(broker),
                     passed[-1].assessed_on.isoformat() if passed else "",
                     passed[-1].certificate_number if passed else "", broker.deals.count(),
                     _sanctions(broker.sanctions.all())])
    return rows


def registry_rows() -> list[list]:
    from techmarket.ecosystem.services.registry_register import entries

    found, _ = entries()
    return [[e.registry.name, e.registry.legal_person, e.service_area, e.certified,
             "；".join(c.message for c in e.unmet), e.year.count if e.year else 0,
             float(e.year.amount) if e.year else 0.0, e.overall.count if e.overall else 0,
             float(e.overall.amount) if e.overall else 0.0, _sanctions(e.sanctions)] for e in found]


TABLES = {"institutions": ("技术转移机构名录", INSTITUTION_HEADER, institution_rows),
          "brokers": ("技术经纪人名录", BROKER_HEADER, broker_rows),
          "registries": ("技术合同登记机构名录", REGISTRY_HEADER, registry_rows)}


def table(kind: str) -> tuple[list[str], list[list]]:
    _, header, rows = TABLES[kind]
    return header, rows()


def as_csv(kind: str) -> bytes:
    return tables.as_csv(*table(kind))


def as_xlsx(kind: str) -> bytes:
    return tables.as_xlsx(*table(kind), TABLES[kind][0])
