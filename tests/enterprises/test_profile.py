"""The enterprise profile: R&D figures by year feed the innovation points (recomputed, with a history line, when a
figure changes; the change before → after in the audit log); recognitions are declared with a certificate that
common/uploads.py checks and verified by the department; the platform's own record; pages and permissions."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from techmarket.common.errors import Conflict, InvalidInput, NotAllowed, NotFound
from techmarket.enterprises.models import InnovationScore, Recognition, YearFigures
from techmarket.enterprises.services import points, profile
from techmarket.enterprises.services.profile import RecognitionInput

FIGURES = {"employees": 200, "rd_staff": 30, "revenue_wan": Decimal("50000"), "rd_spending_wan": Decimal("1500"),
           "invention_patents": 12, "other_ip": 40}


def pdf(name="证书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% certificate\n%%EOF\n", content_type="application/pdf")


def test_figures_feed_the_points_and_their_history(enterprise_member, enterprise):
    profile.save_figures(enterprise_member, 2025, FIGURES)
    facts, sources = points.facts_of(enterprise)
    assert facts["rd_intensity"] == Decimal("3.00") and facts["invention_patents"] == 12
    assert sources["rd_intensity"] == "企业档案（2025 年度）"
    first = InnovationScore.objects.filter(organisation=enterprise).count()
    assert first == 1
    before = points.compute(facts)[0]

    profile.save_figures(enterprise_member, 2025, FIGURES)  # the same again: nothing changes
    assert InnovationScore.objects.filter(organisation=enterprise).count() == 1
    profile.save_figures(enterprise_member, 2025, {**FIGURES, "rd_spending_wan": Decimal("100")})  # 0.2 %
    scores = list(InnovationScore.objects.filter(organisation=enterprise).order_by("computed_at", "id"))
    assert len(scores) == 2 and scores[1].total < before
    assert scores[1].facts["rd_intensity"] == "0.20"
    [change] = [e for e in profile.history(enterprise) if e.data.get("before")]
    assert change.data["before"]["rd_spending_wan"] == "1500.00" and change.data["after"]["rd_spending_wan"] == "100.00"
    assert YearFigures.objects.get().rd_spending_wan == Decimal("100")


def test_figures_bounds(enterprise_member, member):
    for bad in ({"rd_staff": 201}, {"employees": -1}, {"revenue_wan": Decimal("99999999")}):
        with pytest.raises(InvalidInput):
            profile.save_figures(enterprise_member, 2025, {**FIGURES, **bad})
    with pytest.raises(InvalidInput):
        profile.save_figures(enterprise_member, 1999, FIGURES)
    with pytest.raises(NotAllowed):
        profile.save_figures(member, 2025, FIGURES)  # 青海大学 is no enterprise
    assert YearFigures.objects.count() == 0


def test_recognition_verified_by_the_department(enterprise_member, reviewer, member):
    data = RecognitionInput("high-tech-enterprise", "GR202563000123", datetime.date(2025, 11, 20),
                            datetime.date(2028, 11, 19), pdf())
    recognition = profile.add_recognition(enterprise_member, data)
    assert recognition.status == Recognition.Status.PENDING and recognition.document_name == "证书.pdf"
    with pytest.raises(Conflict):
        profile.add_recognition(enterprise_member, RecognitionInput(
            "high-tech-enterprise", "GR202563000123", datetime.date(2025, 11, 20), None, pdf()))
    with pytest.raises(InvalidInput):  # not a certificate file
        profile.add_recognition(enterprise_member, RecognitionInput(
            "specialised", "ZJTX-1", datetime.date(2025, 1, 1), None,
            SimpleUploadedFile("a.pdf", b"MZ\x90\x00not a pdf")))
    with pytest.raises(NotAllowed):
        profile.decide_recognition(enterprise_member, recognition, True)
    with pytest.raises(InvalidInput):
        profile.decide_recognition(reviewer, recognition, False)  # a return needs a reason
    profile.decide_recognition(reviewer, recognition, True)
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.VERIFIED and recognition.decided_by == reviewer
    assert [e.action for e in profile.history(recognition.organisation)] == ["verify", "recognition"]
    with pytest.raises(NotFound):
        profile.recognition_for(member, recognition.pk)


def test_profile_pages(client, login, enterprise_member, reviewer, member):
    login(enterprise_member)
    page = client.get("/enterprises/profile/").content.decode()
    assert "企业档案" in page and "平台记录" in page
    response = client.post("/enterprises/profile/", {"action": "figures", "year": "2025", **{
        k: str(v) for k, v in FIGURES.items()}}, follow=True)
    assert "已保存 2025 年度研发数据" in response.content.decode()
    response = client.post("/enterprises/profile/", {
        "action": "recognition", "kind": "sci-tech-little-giant", "certificate_number": "XJR-2025-07",
        "recognised_on": "2025-06-01", "valid_until": "", "document": pdf()}, follow=True)
    assert "已提交资质认定" in response.content.decode()
    recognition = Recognition.objects.get()
    download = client.get(f"/enterprises/recognitions/{recognition.pk}/document/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get("/enterprises/recognitions/").status_code == 403
    login(member)
    assert client.get(f"/enterprises/recognitions/{recognition.pk}/document/").status_code == 404
    login(reviewer)
    hub = client.get(reverse("review-queue")).content.decode()  # the reviewers' page leads to both desks
    assert 'href="/enterprises/recognitions/"' in hub and 'href="/enterprises/pools/"' in hub
    assert "XJR-2025-07" in client.get("/enterprises/recognitions/").content.decode()
    client.post(f"/enterprises/recognitions/{recognition.pk}/decide/", {"verified": "1", "reason": ""})
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.VERIFIED
