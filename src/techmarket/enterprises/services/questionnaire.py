"""The check-up questionnaire (data/enterprises/checkup.yaml) as objects, and the answers checked against it: every
answer within the bounds the file gives, each in Chinese when refused. Nothing here touches the database except
the fields of the taxonomy a `field` question offers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal

from django.conf import settings
from pydantic import model_validator

from techmarket.common.datafiles import FileModel, load, read_yaml
from techmarket.common.errors import InvalidInput


class Question(FileModel):
    code: str
    label: str
    type: Literal["integer", "decimal", "choice", "field", "text"]
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str = ""
    choices: dict[str, str] = {}
    not_more_than: str = ""

    @model_validator(mode="after")
    def _shape(self):
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice question needs choices")
        if self.type in ("integer", "decimal") and (self.min is None or self.max is None):
            raise ValueError("a number needs min and max")
        if self.type == "text" and self.max is None:
            raise ValueError("a text needs max")
        return self


class Section(FileModel):
    title: str
    questions: list[Question]


class Metric(FileModel):
    code: str
    label: str
    numerator: str
    denominator: str = ""
    percent: bool = False


class Bottlenecks(FileModel):
    max: int
    title_max: int
    text_min: int
    text_max: int
    modes: list[str]


class SourceText(FileModel):
    document: str
    article: str
    excerpt: str


class CheckupFile(FileModel):
    source: SourceText
    sections: list[Section]
    metrics: list[Metric]
    min_peers: int
    bottlenecks: Bottlenecks

    @model_validator(mode="after")
    def _references(self):
        codes = {q.code for s in self.sections for q in s.questions}
        for question in self.questions():
            if question.not_more_than and question.not_more_than not in codes:
                raise ValueError(f"{question.code}: unknown question {question.not_more_than!r}")
        for metric in self.metrics:
            for code in filter(None, (metric.numerator, metric.denominator)):
                if code not in codes:
                    raise ValueError(f"metric {metric.code}: unknown question {code!r}")
        return self

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


def data_file() -> Path:
    return Path(settings.TECHMARKET_DATA_FILES) / "enterprises" / "checkup.yaml"


@cache
def questionnaire() -> CheckupFile:
    path = data_file()
    return load(CheckupFile, read_yaml(path), path.name)


def field_choices() -> dict[str, str]:
    from techmarket.catalogue.models import Field

    return dict(Field.objects.filter(parent__isnull=True).order_by("position", "code").values_list("code", "name"))


def _number(question: Question, raw) -> Decimal | int:
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"“{question.label}”须为数字。") from None
    if question.type == "integer" and value != value.to_integral_value():
        raise InvalidInput(f"“{question.label}”须为整数。")
    if value < question.min or value > question.max:
        raise InvalidInput(f"“{question.label}”须在 {question.min} 到 {question.max}{question.unit} 之间。")
    if question.type == "integer":
        return int(value)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"“{question.label}”最多两位小数。")
    return value


def check_answers(raw: dict) -> dict:
    """The answers as stored (JSON-ready: numbers as int or a string of the decimal), or InvalidInput naming the
    first answer out of bounds. Every question must be answered."""
    from techmarket.common.bounds import clean_text

    answers: dict = {}
    for question in questionnaire().questions():
        value = raw.get(question.code)
        if value is None or str(value).strip() == "":
            raise InvalidInput(f"请填写“{question.label}”。")
        if question.type in ("integer", "decimal"):
            number = _number(question, value)
            answers[question.code] = number if isinstance(number, int) else str(number)
        elif question.type == "choice":
            if value not in question.choices:
                raise InvalidInput(f"请从列表中选择“{question.label}”。")
            answers[question.code] = value
        elif question.type == "field":
            if value not in field_choices():
                raise InvalidInput(f"请从列表中选择“{question.label}”。")
            answers[question.code] = value
        else:
            try:
                text = clean_text(str(value)).strip()
            except Exception as exc:  # the bounds' Chinese message
                raise InvalidInput(f"“{question.label}”：{getattr(exc, 'messages', [str(exc)])[0]}") from None
            if len(text) > question.max:
                raise InvalidInput(f"“{question.label}”最多 {question.max} 字。")
            answers[question.code] = text
    by_code = {q.code: q for q in questionnaire().questions()}
    for question in questionnaire().questions():
        other = question.not_more_than
        if other and Decimal(str(answers[question.code])) > Decimal(str(answers[other])):
            raise InvalidInput(f"“{question.label}”不能多于“{by_code[other].label}”。")
    return answers


def check_bottlenecks(items: list[tuple[str, str]]) -> list[dict]:
    """The bottlenecks described (title, text), blank ones dropped; at least one, at most the file's maximum."""
    from techmarket.common.bounds import clean_text

    rules = questionnaire().bottlenecks
    result = []
    for title, text in items:
        title, text = clean_text(title or "").strip(), clean_text(text or "").strip()
        if not title and not text:
            continue
        if not title or "\n" in title or len(title) > rules.title_max:
            raise InvalidInput(f"每个技术瓶颈须有一行标题（最多 {rules.title_max} 字）。")
        if not (rules.text_min <= len(text) <= rules.text_max):
            raise InvalidInput(f"请用 {rules.text_min}–{rules.text_max} 字描述技术瓶颈“{title}”。")
        result.append({"title": title, "text": text})
    if not result:
        raise InvalidInput("请至少描述一个技术瓶颈。")
    if len(result) > rules.max:
        raise InvalidInput(f"最多描述 {rules.max} 个技术瓶颈。")
    return result
