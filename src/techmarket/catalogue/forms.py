"""The parts of the member's listing form beyond its content (web.forms.ListingForm): the contact person, partner
units and attachments. They validate input only; services/listings.py writes them with the listing, in one
transaction, and checks every bound again."""

from django import forms

from techmarket.catalogue.models import Listing, ListingAttachment
from techmarket.catalogue.services import attachments as listing_attachments
from techmarket.catalogue.services import contacts
from techmarket.catalogue.services.contacts import ContactError, ContactInput
from techmarket.common.forms import BootstrapMixin
from techmarket.common.permissions import allowed

MAX_PK = 2**63 - 1  # larger integers overflow the database's integer columns
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AttachmentChoiceField(forms.ModelMultipleChoiceField):
    """Attachments by id; an id that is not a plausible integer is an invalid choice, not a database error."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk).strip()
            if not text.isascii() or not text.isdigit() or int(text) > MAX_PK:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)


def _contact_error(error: ContactError) -> forms.ValidationError:
    return forms.ValidationError(str(error), code="invalid")


class ListingPartiesForm(BootstrapMixin, forms.Form):
    """Who to contact, with whom, and the files: the contact person (a name and a phone or an e-mail; the writing
    user's own by default), optional partner units and optional attachments.

    A submission with none of the contact fields (a client that does not know them) leaves the contacts as they are
    (a new listing then gets the writing user, when the account makes a contact); `to_values()` gives None then.
    So do empty contact fields from a reviewer editing another organisation's listing.
    """

    contact_name = forms.CharField(
        label="联系人姓名", max_length=contacts.CONTACT_NAME_MAX, required=False, strip=False,
        error_messages={"max_length": f"联系人姓名最多 {contacts.CONTACT_NAME_MAX} 个字（现有 %(show_value)d 个）。"},
    )
    contact_phone = forms.CharField(
        label="联系电话", max_length=contacts.PHONE_MAX, required=False, strip=False,
        help_text="手机或座机，如 13907712345 或 0971-6309962。联系电话和电子邮箱至少填写一项。",
        error_messages={"max_length": f"电话号码最多 {contacts.PHONE_MAX} 个字符。"},
    )
    contact_email = forms.CharField(
        label="电子邮箱", max_length=contacts.EMAIL_MAX, required=False, strip=False,
        widget=forms.EmailInput,
        error_messages={"max_length": f"电子邮箱最多 {contacts.EMAIL_MAX} 个字符。"},
    )
    partners = forms.CharField(
        label="合作单位", required=False, max_length=contacts.PARTNERS_TEXT_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"可不填。填写单位全称，多个单位用顿号、逗号或换行分隔，最多 {contacts.PARTNERS_MAX} 个。",
        error_messages={"max_length": f"合作单位最多 {contacts.PARTNERS_TEXT_MAX} 个字（现有 %(show_value)d 个）。"},
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text=f"可不填。{listing_attachments.LIMITS_TEXT}",
        error_messages={"invalid": "未能读取上传的文件，请重新选择。", "empty": "文件为空。",
                        "missing": "未收到文件，请重新选择。"},
    )
    remove_attachments = AttachmentChoiceField(
        label="删除附件", required=False, queryset=ListingAttachment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选附件不存在或已删除。", "invalid_pk_value": "所选附件不存在或已删除。",
                        "invalid_list": "所选附件不存在或已删除。"},
    )

    def __init__(self, *args, user=None, listing: Listing | None = None, **kwargs):
        self.user, self.listing = user, listing
        # A reviewer editing another organisation's listing that names no contact need not invent one.
        self.own = listing is None or allowed(user, "catalogue.own_listing", listing)
        if "initial" not in kwargs:
            kwargs["initial"] = self._initial()
        super().__init__(*args, **kwargs)
        self.contact_omitted = self.is_bound and (
            not any(name in self.data for name in CONTACT_FIELDS)
            or (not self.own and not any(str(self.data.get(name) or "").strip() for name in CONTACT_FIELDS)))
        self.partners_omitted = self.is_bound and "partners" not in self.data
        self.fields["contact_name"].required = not self.contact_omitted
        self.fields["contact_name"].error_messages["required"] = contacts.NAME_REQUIRED
        if listing is not None and listing.pk and listing.attachments.exists():
            field = self.fields["remove_attachments"]
            field.queryset = listing.attachments.all()
            field.label_from_instance = lambda a: f"{a.name}（{a.size / 1024:,.0f} KB）"
        else:
            del self.fields["remove_attachments"]

    def _initial(self) -> dict:
        contact = None
        if self.listing is not None:
            contact = contacts.current_contact(self.listing)
        if contact is None and self.own and self.user is not None and self.user.is_authenticated:
            contact = ContactInput(
                (self.user.display_name or self.user.get_full_name() or "").strip(), self.user.phone or "",
                self.user.email or "")
        initial = {}
        if contact is not None:
            initial = {"contact_name": contact.name, "contact_phone": contact.phone, "contact_email": contact.email}
        if self.listing is not None:
            initial["partners"] = "、".join(contacts.partner_names(self.listing))
        return initial

    def clean_contact_name(self):
        value = self.cleaned_data["contact_name"]
        if self.contact_omitted:
            return ""
        try:
            return contacts.clean_contact_name(value)
        except ContactError as error:
            raise _contact_error(error) from None

    def clean_contact_phone(self):
        try:
            return contacts.clean_phone(self.cleaned_data["contact_phone"])
        except ContactError as error:
            raise _contact_error(error) from None

    def clean_contact_email(self):
        try:
            return contacts.clean_email(self.cleaned_data["contact_email"])
        except ContactError as error:
            raise _contact_error(error) from None

    def clean_partners(self):
        try:
            return contacts.clean_partner_names(self.cleaned_data["partners"])
        except ContactError as error:
            raise _contact_error(error) from None

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if not files:
            return []
        # The counts and declared sizes first, so that no more than the limits is ever read.
        kept = self._kept_attachments()
        try:
            listing_attachments.check_limits(len(kept) + len(files),
                                             sum(a.size for a in kept) + sum(f.size or 0 for f in files))
            return [listing_attachments.check_file(uploaded) for uploaded in files]
        except listing_attachments.AttachmentError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def _kept_attachments(self) -> list[ListingAttachment]:
        if self.listing is None or not self.listing.pk:
            return []
        removed = {str(pk).strip() for pk in self.data.getlist("remove_attachments")} \
            if hasattr(self.data, "getlist") else set()
        return [a for a in self.listing.attachments.all() if str(a.pk) not in removed]

    def clean(self):
        data = super().clean()
        if not self.contact_omitted and not self.has_error("contact_phone") and not self.has_error("contact_email") \
                and not data.get("contact_phone") and not data.get("contact_email"):
            self.add_error("contact_phone", contacts.WAY_REQUIRED)
        return data

    def to_values(self) -> dict:
        """The services' ListingInput fields this form fills (dataclasses.replace them into the content's)."""
        data = self.cleaned_data
        return {
            "contact": None if self.contact_omitted else ContactInput(
                data["contact_name"], data["contact_phone"], data["contact_email"]),
            "partners": None if self.partners_omitted else data["partners"],
            "attachments": tuple(data["attachments"]),
            "remove_attachments": tuple(a.pk for a in data.get("remove_attachments") or ()),
        }

    def contact_fields(self):
        return [self[name] for name in CONTACT_FIELDS]

    def other_fields(self):
        return [self[name] for name in ("partners", "attachments", "remove_attachments") if name in self.fields]
