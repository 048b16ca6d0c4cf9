"""The market's data files are read through market/schemas.py: a malformed file is refused with a message naming
the file, the record and the field."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings

from techmarket.common.datafiles import DataFileError, Source
from techmarket.market.services.registries import registries_data
from techmarket.market.services.rules import rules

DATA = Path(django_settings.TECHMARKET_DATA_FILES)


@pytest.fixture
def data_copy(tmp_path, settings):
    shutil.copytree(DATA / "market", tmp_path / "market")
    settings.TECHMARKET_DATA_FILES = str(tmp_path)
    rules.cache_clear()
    yield tmp_path / "market"
    rules.cache_clear()


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def transfer(data) -> dict:
    return next(t for t in data["contract_types"] if t["code"] == "transfer")


@pytest.mark.parametrize(("file", "change", "expected"), [
    ("registration.yaml", lambda d: transfer(d)["source"].pop("article"),
     "registration.yaml: contract type transfer: a required key is missing (field source.article)"),
    ("registration.yaml", lambda d: transfer(d)["source"].update(document="gazette"),
     "registration.yaml: contract type transfer: 'gazette' is not one of the documents "
     "['civil-code', 'measures', 'national', 'reconsideration-law'] (field source.document)"),
    ("registration.yaml", lambda d: transfer(d).update(colour="blue"),
     "registration.yaml: contract type transfer: unknown key (field colour)"),
    ("registration.yaml", lambda d: d["periods"].update(decision_days="thirty"),
     "registration.yaml: Input should be a valid integer, unable to parse string as an integer "
     "(field periods.decision_days)"),
    ("registration.yaml", lambda d: transfer(d).update(registering_role="transferee-x"),
     "registration.yaml: transfer: registering_role transferee-x is not one of its roles"),
    ("registration.yaml", lambda d: transfer(d)["roles"]["transferee"].update(side="lender"),
     "registration.yaml: transfer: role transferee has unknown side lender"),
    ("review_flags.yaml", lambda d: d["threshold_clusters"]["thresholds"][0].update(amount="much"),
     "review_flags.yaml: Input should be a valid decimal (field threshold_clusters.thresholds[0].amount)"),
    ("review_flags.yaml", lambda d: d["outlier"].pop("min_peers"),
     "review_flags.yaml: a required key is missing (field outlier.min_peers)"),
])
def test_a_malformed_market_file_is_refused_naming_the_file_and_the_field(data_copy, file, change, expected):
    edit(data_copy / file, change)
    with pytest.raises(DataFileError) as error:
        rules()
    assert str(error.value) == expected


def test_a_malformed_registries_file_is_refused(data_copy):
    edit(data_copy / "registries.yaml", lambda d: d["registries"][1].update(number_code="1x"))
    with pytest.raises(DataFileError, match=r"^registries.yaml: registry xining: String should match pattern "
                                            r"'\^\\d\\d\$' \(field number_code\)$"):
        registries_data()


def test_market_and_policy_sources_are_one_model():
    source = rules().procedure["registering-party"]
    assert isinstance(source, Source) and isinstance(rules().type("transfer").source, Source)
    assert str(source) == "《青海省技术市场管理办法》（青政办〔2016〕226号）第十三条"
    assert "中介人，按照自愿原则" in source.excerpt  # folded lines joined without a space between Chinese text
