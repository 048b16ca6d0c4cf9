import pytest

from techmarket.experts.services import search
from tests.challenges import world as w


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_expert_index():
    search.reset()
    yield
    search.reset()


@pytest.fixture
def world(db):
    return w.build()
