"""A member's listing names its contact person, partner units and attachments (issue 13, point 2): written through
/my/listings/new/ and the edit page with the listing in one transaction, within bounds, and shown only to those
who may see contacts."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from techmarket.catalogue.models import CooperationMode, Listing, ListingAttachment, ListingOrganisation
from techmarket.catalogue.services import contacts
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import ListingInput, ListingInputError, create_listing
from techmarket.common import uploads
from techmarket.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

S = Listing.Status
CREATE_URL = reverse("listing-create")
TITLE = "盐湖卤水提锂吸附剂中试放大"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office_file(main_part: str, root: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main_part, f'<?xml version="1.0"?><{root}/>')
    return buffer.getvalue()


def form_data(**overrides) -> dict:
    data = {
        "kind": "demand", "title": TITLE, "description": "建设吨级吸附剂中试线，验证高镁锂比卤水的提锂效果。",
        "modes": [str(CooperationMode.objects.get(code="joint-rd").pk)],
        "field": "", "trl": "", "budget_wan": "", "valid_until": "",
        "contact_name": "张工", "contact_phone": "0971 6309962", "contact_email": "Zhang.Gong@Example.cn",
        "partners": "中科院青海盐湖研究所、西宁测试锂业科技有限公司",
    }
    return data | overrides


def page(response) -> str:
    return response.content.decode()


def publish(listing: Listing, member, reviewer) -> None:
    transition(listing, S.SUBMITTED, user=member)
    transition(listing, S.PUBLISHED, user=reviewer)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- The form asks, and the listing page shows the contact to those who may see it ------------------------------


def test_the_form_asks_for_a_contact_partners_and_attachments_with_the_users_own_details(login, make_user,
                                                                                          qinghai_university):
    member = make_user("li", organisation=qinghai_university, display_name="李老师", email="li@qhu.edu.cn",
                       phone="13907712345")
    content = page(login(member).get(CREATE_URL))
    for text in ("联系人姓名", "联系电话", "电子邮箱", "合作单位", "附件", 'enctype="multipart/form-data"',
                 'value="李老师"', 'value="li@qhu.edu.cn"', 'value="13907712345"', "至少填写一项"):
        assert text in content


def test_a_contact_written_in_the_form_is_seen_by_verified_users_and_never_by_anonymous_visitors(
        client, member, reviewer, outsider):
    client.force_login(member)
    response = client.post(CREATE_URL, form_data())
    assert response.status_code == 302, page(response)[:3000]
    listing = Listing.objects.get(title=TITLE)
    [person] = listing.contacts.all()
    assert (person.name, person.phones, person.emails) == ("张工", ["0971-6309962"], ["zhang.gong@example.cn"])
    assert listing.owner in person.organisations.all()
    publish(listing, member, reviewer)

    verified = Client()
    verified.force_login(outsider)
    content = page(verified.get(listing.get_absolute_url()))
    assert "张工" in content and "0971-6309962" in content and "zhang.gong@example.cn" in content
    assert "暂无联系人信息" not in content

    content = page(Client().get(listing.get_absolute_url()))
    assert "张工" not in content and "0971-6309962" not in content and "zhang.gong@example.cn" not in content
    assert "登录并通过实名核验后可查看联系人" in content


def test_partner_units_are_resolved_as_the_importer_resolves_them(login, member, qinghai_university):
    institute = Organisation.objects.get(name="中国科学院青海盐湖研究所")  # written by its alias in the form
    response = login(member).post(CREATE_URL, form_data())
    assert response.status_code == 302
    listing = Listing.objects.get(title=TITLE)
    links = list(listing.organisation_links.select_related("organisation"))
    assert [(link.organisation.name, link.role) for link in links] == [
        (qinghai_university.name, ListingOrganisation.Role.LEAD),
        (institute.name, ListingOrganisation.Role.PARTNER),
        ("西宁测试锂业科技有限公司", ListingOrganisation.Role.PARTNER),
    ]
    assert Organisation.objects.get(name="西宁测试锂业科技有限公司").kind == Organisation.Kind.ENTERPRISE
    assert listing.organisations_raw == f"{qinghai_university.name}、{institute.name}、西宁测试锂业科技有限公司"
    assert any(c["code"] == "consortium" for c in listing.grade_basis["criteria"])


# --- Bounds: refused with a Chinese message, nothing saved ------------------------------------------------------


@pytest.mark.parametrize("overrides, message", [
    ({"contact_phone": "请致电办公室"}, contacts.PHONE_MESSAGE),
    ({"contact_phone": "12345"}, contacts.PHONE_MESSAGE),
    ({"contact_phone": "0971-6309962" * 3}, "电话号码最多 30 个字符。"),
    ({"contact_email": "zhang.example.cn"}, contacts.EMAIL_MESSAGE),
    ({"contact_email": "张工@"}, contacts.EMAIL_MESSAGE),
    ({"contact_name": ""}, "请填写联系人姓名。"),
    ({"contact_name": "  "}, "请填写联系人姓名。"),
    ({"contact_name": "张" * 101}, "联系人姓名最多 100 个字"),
    ({"contact_name": "张\u202e工"}, "文字中含有不可见的控制字符"),
    ({"contact_phone": "", "contact_email": ""}, "请至少填写联系电话或电子邮箱中的一项。"),
    ({"partners": "甲"}, "“甲”不是完整的单位名称"),
    ({"partners": "、".join(f"测试合作单位{i}有限公司" for i in range(11))}, "合作单位最多填写 10 个（现有 11 个）。"),
    ({"partners": "测" * 201}, "单位名称最多 200 个字"),
])
def test_invalid_contact_or_partners_are_refused_in_chinese_and_nothing_is_saved(login, member, overrides,
                                                                                  message):
    counts = Listing.objects.count(), Person.objects.count(), Organisation.objects.count()
    response = login(member).post(CREATE_URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert "请根据提示修改后再保存" in page(response)
    assert (Listing.objects.count(), Person.objects.count(), Organisation.objects.count()) == counts


def test_full_width_digits_and_a_mobile_number_alone_are_accepted(login, member):
    response = login(member).post(CREATE_URL, form_data(contact_phone="１３９ ０７７１ ２３４５", contact_email=""))
    assert response.status_code == 302
    [person] = Listing.objects.get(title=TITLE).contacts.all()
    assert person.phones == ["13907712345"] and person.emails == []


def test_the_service_refuses_out_of_bounds_contacts_too_and_writes_nothing(member):
    counts = Listing.objects.count(), Person.objects.count()
    data = ListingInput(kind="demand", title=TITLE, description="内容", modes=[],
                        contact=contacts.ContactInput("张工", phone="not a phone"))
    with pytest.raises(ListingInputError) as error:
        create_listing(member, data)
    assert error.value.field == "contact_phone" and str(error.value) == contacts.PHONE_MESSAGE
    assert (Listing.objects.count(), Person.objects.count()) == counts


def test_a_new_listing_without_contact_fields_gets_the_writing_users_own_details(make_user, qinghai_university):
    member = make_user("wang", organisation=qinghai_university, display_name="王主任", email="Wang@QHU.edu.cn")
    listing = create_listing(member, ListingInput(kind="demand", title=TITLE, description="内容", modes=[]))
    [person] = listing.contacts.all()
    assert (person.name, person.phones, person.emails) == ("王主任", [], ["wang@qhu.edu.cn"])


# --- Attachments ---------------------------------------------------------------------------------------------


def test_attachments_are_uploaded_and_downloadable_by_those_allowed_only(client, member, reviewer, outsider,
                                                                          unverified, media):
    client.force_login(member)
    files = [SimpleUploadedFile("技术指标.pdf", PDF_BYTES, "application/pdf"),
             SimpleUploadedFile("../../现场照片.png", PNG_BYTES, "image/png")]
    response = client.post(CREATE_URL, form_data(attachments=files))
    assert response.status_code == 302, page(response)[:3000]
    listing = Listing.objects.get(title=TITLE)
    pdf, png = listing.attachments.all()
    assert (pdf.name, pdf.content_type, pdf.size) == ("技术指标.pdf", "application/pdf", len(PDF_BYTES))
    assert png.name == "现场照片.png" and png.file.name.startswith("catalogue/")
    url = reverse("listing-attachment", args=[listing.reference, pdf.pk])

    # A draft: its organisation's members only.
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    verified = Client()
    verified.force_login(outsider)
    assert verified.get(url).status_code == 404

    publish(listing, member, reviewer)
    content = page(verified.get(listing.get_absolute_url()))
    assert "技术指标.pdf" in content and url in content
    response = verified.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES

    anonymous = Client()
    content = page(anonymous.get(listing.get_absolute_url()))
    assert "技术指标.pdf" not in content and url not in content and "共 2 个附件" in content
    assert anonymous.get(url).status_code == 404
    not_yet_verified = Client()
    not_yet_verified.force_login(unverified)
    assert not_yet_verified.get(url).status_code == 404
    other_listing = Listing.objects.exclude(pk=listing.pk).filter(status=S.PUBLISHED).first()
    assert verified.get(reverse("listing-attachment", args=[other_listing.reference, pdf.pk])).status_code == 404
    assert verified.get(f"/listings/{listing.reference}/attachments/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("说明.pdf", b"just text, not a PDF", "application/pdf"), "不支持的文件类型"),
    (SimpleUploadedFile("预算.xlsx", office_file("xl/workbook.xml", "workbook")),
     "附件只能是 PDF、Word（DOCX）、JPEG 或 PNG"),
    (SimpleUploadedFile("大文件.pdf", b"%PDF-" + b"0" * uploads.MAX_BYTES), "文件过大"),
    (SimpleUploadedFile("空.pdf", b""), "文件为空"),
])
def test_refused_attachments_are_explained_in_chinese_and_nothing_is_saved(login, member, media, upload, message):
    counts = Listing.objects.count(), Person.objects.count(), ListingAttachment.objects.count()
    response = login(member).post(CREATE_URL, form_data(attachments=[upload]))
    assert response.status_code == 200
    assert message in page(response)
    assert (Listing.objects.count(), Person.objects.count(), ListingAttachment.objects.count()) == counts
    assert stored_files(media) == []


def test_at_most_ten_attachments_per_listing(login, member, media):
    files = [SimpleUploadedFile(f"图{i}.png", PNG_BYTES + bytes([i])) for i in range(11)]
    response = login(member).post(CREATE_URL, form_data(attachments=files))
    assert response.status_code == 200 and "每条最多 10 个附件" in page(response)
    assert not Listing.objects.filter(title=TITLE).exists() and stored_files(media) == []


def test_a_word_document_is_accepted(login, member):
    docx = SimpleUploadedFile("需求书.docx", office_file("word/document.xml", "document"))
    assert login(member).post(CREATE_URL, form_data(attachments=[docx])).status_code == 302
    assert Listing.objects.get(title=TITLE).attachments.get().content_type == uploads.DOCX.content_type


# --- Editing -------------------------------------------------------------------------------------------------


def test_editing_shows_and_changes_the_contact_partners_and_attachments(login, member, media):
    client = login(member)
    client.post(CREATE_URL, form_data(attachments=[SimpleUploadedFile("a.pdf", PDF_BYTES)]))
    listing = Listing.objects.get(title=TITLE)
    old_person = listing.contacts.get()
    url = reverse("listing-edit", args=[listing.reference])
    content = page(client.get(url))
    assert 'value="张工"' in content and 'value="0971-6309962"' in content and "西宁测试锂业科技有限公司" in content
    assert "a.pdf" in content and "删除附件" in content

    attachment = listing.attachments.get()
    response = client.post(url, form_data(contact_name="赵工", contact_phone="13800000000", contact_email="",
                                          partners="", remove_attachments=[str(attachment.pk)],
                                          attachments=[SimpleUploadedFile("b.png", PNG_BYTES)]))
    assert response.status_code == 302, page(response)[:3000]
    [person] = listing.contacts.all()
    assert (person.name, person.phones, person.emails) == ("赵工", ["13800000000"], [])
    assert not Person.objects.filter(pk=old_person.pk).exists()  # no listing names it any more
    assert not listing.organisation_links.filter(role=ListingOrganisation.Role.PARTNER).exists()
    assert [a.name for a in listing.attachments.all()] == ["b.png"]


@pytest.mark.parametrize("removed", ["x", "99999999999999999999999", "0"])
def test_an_invalid_edit_changes_nothing(login, member, removed):
    client = login(member)
    client.post(CREATE_URL, form_data(attachments=[SimpleUploadedFile("a.pdf", PDF_BYTES)]))
    listing = Listing.objects.get(title=TITLE)
    url = reverse("listing-edit", args=[listing.reference])
    response = client.post(url, form_data(title="新标题", contact_email="bad@", remove_attachments=[removed],
                                          attachments=[SimpleUploadedFile("b.png", PNG_BYTES)]))
    assert response.status_code == 200
    assert contacts.EMAIL_MESSAGE in page(response) and "所选附件不存在或已删除。" in page(response)
    listing.refresh_from_db()
    assert listing.title == TITLE and listing.contacts.get().emails == ["zhang.gong@example.cn"]
    assert [a.name for a in listing.attachments.all()] == ["a.pdf"]


def test_editing_a_seed_listing_unchanged_keeps_all_its_contacts(login, member, qinghai_university):
    listing = next(listing for listing in Listing.objects.filter(owner=qinghai_university, status=S.PUBLISHED)
                   if listing.contact_links.count() >= 1)
    before = list(listing.contact_links.values_list("person_id", "position"))
    client = login(member)
    form = client.get(reverse("listing-edit", args=[listing.reference])).context["parties"]
    data = form_data(title=listing.title, **{name: form.initial.get(name, "") for name in
                                             ("contact_name", "contact_phone", "contact_email", "partners")})
    response = client.post(reverse("listing-edit", args=[listing.reference]), data)
    assert response.status_code == 302, page(response)[:3000]
    assert list(listing.contact_links.values_list("person_id", "position")) == before


def test_a_reviewer_editing_a_listing_without_contact_need_not_name_one(login, member, make_user):
    reviewer = make_user("reviewer-zhou", reviewer=True, display_name="周审核", email="zhou@kjt.qinghai.gov.cn")
    listing = create_listing(member, ListingInput(kind="demand", title=TITLE, description="内容", modes=[]))
    assert not listing.contacts.exists()  # the member's account has no phone or e-mail
    client = login(reviewer)
    url = reverse("listing-edit", args=[listing.reference])
    assert "zhou@kjt.qinghai.gov.cn" not in page(client.get(url))
    response = client.post(url, form_data(contact_name="", contact_phone="", contact_email="", partners=""))
    assert response.status_code == 302, page(response)[:3000]
    assert not listing.contacts.exists()
    response = client.post(url, form_data(contact_name="", contact_phone="13800000000", contact_email=""))
    assert response.status_code == 200 and "请填写联系人姓名。" in page(response)
