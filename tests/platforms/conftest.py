import datetime

import pytest

from techmarket.directory.models import Organisation
from techmarket.platforms.services import records
from tests.market.conftest import media_root, org, pdf_upload, region  # noqa: F401  (shared fixtures)


def pdf(name="认定文件.pdf", body="recognition"):
    return pdf_upload(body, name)


@pytest.fixture
def host(org):  # noqa: F811  (the fixture imported above)
    return org("青海盐湖测试研究院", "xining", Organisation.Kind.INSTITUTE)


@pytest.fixture
def host_member(make_user, host):
    return make_user("host-member", organisation=host, display_name="依托单位成员")


@pytest.fixture
def national_platform():
    """A factory: a national platform of `user`'s organisation (or `host` for a reviewer), co-built with the
    given partners."""

    def make(user, *, partner_regions=(), partner_organisations=(), level="national",
             kind="engineering-centre", host=None, recognised_on=datetime.date(2025, 6, 1),
             name="盐湖资源国家工程研究中心", document=True, **extra):
        return records.submit_platform(user, records.PlatformInput(
            name=name, kind=kind, level=level, recognised_on=recognised_on, host=host,
            partner_regions=list(partner_regions), partner_organisations=list(partner_organisations), **extra),
            pdf() if document else None)

    return make


@pytest.fixture
def team():
    def make(user, origin, *, host=None, introduced_on=datetime.date(2025, 9, 1), name="锂电材料创新团队",
             document=True, **extra):
        return records.submit_team(user, records.TeamInput(
            name=name, leader_name="李明", leader_title="教授", origin=origin, host=host,
            introduced_on=introduced_on, members=[records.Member("王芳", "副教授")], **extra),
            pdf() if document else None)

    return make
