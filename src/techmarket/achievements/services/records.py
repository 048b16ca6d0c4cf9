"""Achievement records: write them, see them (public and confidential parts), publish an offer listing from one.

Every write is one transaction with a line in the audit log (common.audit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from techmarket.achievements.errors import AchievementDuplicate, AchievementInputError, AchievementPermissionError
from techmarket.achievements.models import IP_NUMBER_MAX, MAX_COMPLETERS, Achievement, Action, Completer
from techmarket.catalogue.models import Field, Listing
from techmarket.catalogue.services.listings import ListingInput, create_listing
from techmarket.common import audit
from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    NAME_MAX,
    TITLE_MAX,
    checked_text,
)
from techmarket.common.permissions import allowed

HUNDRED = Decimal("100")


@dataclass
class AchievementInput:
    title: str
    kind: str
    trl: int
    summary: str
    completers: list[tuple[str, Decimal]]
    ip_number: str = ""
    ip_status: str = Achievement.IpStatus.NONE
    field_code: str = ""
    confidential: str = ""
    public_funds: bool = False
    extra: dict = field(default_factory=dict)


_text = partial(checked_text, error=AchievementInputError, single_line=False, required=True)


def parse_completers(text: str) -> list[tuple[str, Decimal]]:
    """Lines "姓名 份额" (e.g. "张三 60"): the form's and the CLI's way of writing completers."""
    out = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip().replace("％", "").replace("%", "").replace("，", " ").replace(",", " ")
        if not line:
            continue
        name, _, share = line.rpartition(" ")
        try:
            out.append((name.strip(), Decimal(share.strip())))
        except InvalidOperation:
            raise AchievementInputError(f"完成人第 {number} 行应为“姓名 份额”，如“张三 60”。") from None
    return out


def clean(data: AchievementInput) -> dict:
    """The checked values of an achievement; AchievementInputError with the reason otherwise."""
    values = {
        "title": _text(data.title, "成果名称", TITLE_MAX, single_line=True),
        "summary": _text(data.summary, "成果简介", DESCRIPTION_MAX),
        "confidential": _text(data.confidential, "保密内容", DESCRIPTION_MAX, required=False),
        "ip_number": _text(data.ip_number, "知识产权编号", IP_NUMBER_MAX, single_line=True, required=False),
        "public_funds": bool(data.public_funds),
    }
    if data.kind not in Achievement.Kind.values:
        raise AchievementInputError("请选择成果类型。")
    if data.ip_status not in Achievement.IpStatus.values:
        raise AchievementInputError("请选择知识产权状态。")
    if data.ip_status != Achievement.IpStatus.NONE and not values["ip_number"]:
        raise AchievementInputError("已申请或已授权的知识产权须填写编号（申请号或登记号）。")
    if isinstance(data.trl, bool) or not isinstance(data.trl, int) or not 1 <= data.trl <= 9:
        raise AchievementInputError("技术成熟度须为 1 到 9 级。")
    values.update(kind=data.kind, ip_status=data.ip_status, trl=data.trl)
    values["field"] = None
    if data.field_code:
        values["field"] = Field.objects.filter(code=data.field_code).first()
        if values["field"] is None:
            raise AchievementInputError("所选领域不存在。")
    completers = [(_text(n, "完成人姓名", NAME_MAX, single_line=True), s) for n, s in data.completers]
    if not completers:
        raise AchievementInputError("请填写至少一位完成人及其贡献份额。")
    if len(completers) > MAX_COMPLETERS:
        raise AchievementInputError(f"完成人最多 {MAX_COMPLETERS} 位。")
    if len({n for n, _ in completers}) != len(completers):
        raise AchievementInputError("完成人姓名重复。")
    for name, share in completers:
        if not (Decimal(0) < share <= HUNDRED) or share != share.quantize(Decimal("0.01")):
            raise AchievementInputError(f"{name}的份额须大于 0、不超过 100，最多两位小数。")
    total = sum((s for _, s in completers), Decimal(0))
    if total != HUNDRED:
        raise AchievementInputError(f"完成人份额合计须为 100%（现为 {total.normalize():f}%）。")
    values["completers"] = completers
    return values


def check_can_create(user) -> None:
    if not allowed(user, "achievements.create"):
        raise AchievementPermissionError("只有已核验并关联单位的用户可以登记本单位的科技成果。")


def _write_completers(achievement: Achievement, completers) -> None:
    achievement.completers.all().delete()
    Completer.objects.bulk_create([Completer(achievement=achievement, name=n, share=s, position=i)
                                   for i, (n, s) in enumerate(completers, 1)])


def create(user, data: AchievementInput) -> Achievement:
    """A new achievement of the user's organisation; the same title twice is refused (one record per intent)."""
    check_can_create(user)
    values = clean(data)
    completers = values.pop("completers")
    if Achievement.objects.filter(owner_id=user.organisation_id, title=values["title"]).exists():
        raise AchievementDuplicate(f"本单位已登记名为“{values['title']}”的成果。")
    try:
        with transaction.atomic():
            achievement = Achievement.objects.create(owner_id=user.organisation_id, created_by=user, **values)
            _write_completers(achievement, completers)
            audit.log_action(achievement, Action.CREATE, user, to_value=achievement.title)
    except IntegrityError:
        raise AchievementDuplicate(f"本单位已登记名为“{values['title']}”的成果。") from None
    return achievement


@transaction.atomic
def update(user, achievement: Achievement, data: AchievementInput) -> Achievement:
    if not allowed(user, "achievements.edit", achievement):
        raise AchievementPermissionError("只有成果持有单位的已核验成员可以修改成果。")
    values = clean(data)
    completers = values.pop("completers")
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if Achievement.objects.filter(owner_id=achievement.owner_id, title=values["title"]).exclude(
            pk=achievement.pk).exists():
        raise AchievementDuplicate(f"本单位已登记名为“{values['title']}”的成果。")
    changed = sorted(k for k, v in values.items() if getattr(achievement, k) != v)
    for name, value in values.items():
        setattr(achievement, name, value)
    achievement.save()
    _write_completers(achievement, completers)
    audit.log_action(achievement, Action.EDIT, user, data={"fields": changed})
    return achievement


def can_see_confidential(user, achievement: Achievement) -> bool:
    return allowed(user, "achievements.view_confidential", achievement)


def public_list() -> QuerySet[Achievement]:
    return Achievement.objects.select_related("owner", "field").order_by("-updated_at", "-id")


def of_organisation(organisation_id) -> QuerySet[Achievement]:
    return public_list().filter(owner_id=organisation_id)


def offer_description(achievement: Achievement) -> str:
    lines = [achievement.summary, "", f"成果类型：{achievement.get_kind_display()}"]
    if achievement.ip_number:
        lines.append(f"知识产权：{achievement.ip_number}（{achievement.get_ip_status_display()}）")
    return "\n".join(lines)


def publish_offer(user, achievement: Achievement) -> Listing:
    """Write a 成果供给 listing from the achievement through the catalogue's service (a draft the unit submits for
    review there) and keep the link; once only."""
    if not allowed(user, "achievements.edit", achievement):
        raise AchievementPermissionError("只有成果持有单位的已核验成员可以发布成果供给。")
    with transaction.atomic():
        achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
        if achievement.listing_id is not None:
            raise AchievementDuplicate("该成果已发布成果供给条目。")
        listing = create_listing(user, ListingInput(
            kind=Listing.Kind.OFFER, title=achievement.title, description=offer_description(achievement),
            modes=[], field=achievement.field, trl=achievement.trl))
        achievement.listing = listing
        achievement.save(update_fields=["listing", "updated_at"])
        audit.log_action(achievement, Action.PUBLISH_OFFER, user, to_value=listing.reference)
    return listing


def for_listing(listing) -> Achievement | None:
    """The achievement a listing was published from, if any."""
    return Achievement.objects.filter(listing=listing).select_related("owner").first()
