"""A check-up run on the enterprise's behalf by its 科技专员 (a member of the institution whose assignment runs
today) or its prefecture bureau (a RegionReviewer of the enterprise's prefecture): recorded as the enterprise's, the
enterprise told, its members publish from it; anyone else refused."""

import datetime

import pytest
from django.utils import timezone

from techmarket.common.errors import NotAllowed
from techmarket.common.models import Notification
from techmarket.directory.models import Organisation, Region, RegionReviewer
from techmarket.enterprises.models import Checkup
from techmarket.enterprises.services import checkups
from techmarket.platforms.models import Assignment
from tests.enterprises.conftest import BOTTLENECKS, answers


def test_specialist_and_prefecture_run_checkups_for_the_enterprise(enterprise, enterprise_member, make_user, member,
                                                                    client, login):
    institution = Organisation.objects.create(name="北京某技术转移中心", kind=Organisation.Kind.TRANSFER_INSTITUTION)
    specialist = make_user("specialist", organisation=institution)
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        checkups.complete_for(specialist, enterprise, answers(), BOTTLENECKS)
    Assignment.objects.create(institution=institution, enterprise=enterprise, person_name="王专员",
                              starts_on=today - datetime.timedelta(days=30),
                              ends_on=today + datetime.timedelta(days=300))
    assert checkups.enterprises_for(specialist) == [enterprise]
    checkup = checkups.complete_for(specialist, enterprise, answers(), BOTTLENECKS)
    assert checkup.organisation == enterprise and checkup.run_by == "specialist" and checkup.completed_by == specialist
    assert Notification.objects.filter(recipient=enterprise_member, topic="enterprises.checkup-for").exists()
    listing = checkups.publish(enterprise_member, checkup, 0)  # the enterprise decides what to publish
    assert listing.owner == enterprise
    with pytest.raises(NotAllowed):
        checkups.publish(specialist, checkup, 1)

    bureau = make_user("haixi-bureau")
    RegionReviewer.objects.create(user=bureau, region=Region.objects.get(code="haixi"))
    login(bureau)
    form = {**answers(), "bottleneck_title_1": BOTTLENECKS[0][0], "bottleneck_text_1": BOTTLENECKS[0][1]}
    assert enterprise.name in client.get("/enterprises/checkup/for/").content.decode()
    response = client.post(f"/enterprises/checkup/for/{enterprise.pk}/", form, follow=True)
    assert "科技体检报告" in response.content.decode()
    assert Checkup.objects.filter(organisation=enterprise, run_by="prefecture", completed_by=bureau).count() == 1

    other = make_user("xining-bureau")
    RegionReviewer.objects.create(user=other, region=Region.objects.get(code="xining"))
    for user in (other, member):
        login(user)
        assert client.post(f"/enterprises/checkup/for/{enterprise.pk}/", form).status_code == 403
        assert client.get(checkup.get_absolute_url()).status_code == 404
    assert Checkup.objects.filter(organisation=enterprise).count() == 2
