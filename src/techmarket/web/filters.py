"""The catalogue's filter form: validates the GET parameters and turns them into ListingFilters.

A parameter with an invalid value (an unknown code, a malformed number) is ignored, never an error page:
links get shared, edited by hand and go stale when the reference data changes.
"""

from django import forms

from techmarket.catalogue.models import PUBLIC_STATUSES, CooperationMode, Field, Listing
from techmarket.catalogue.services.listings import ListingFilters
from techmarket.directory.models import Organisation, Region

SORT_CHOICES = [
    ("reference", "默认顺序"),
    ("newest", "最新发布"),
    ("grade", "按分级"),
    ("title", "按名称"),
]
MAX_ID = 2**62  # larger numbers overflow the database's integer columns


def field_choices() -> list:
    """Top-level fields, each with its areas; choosing a field includes all its areas."""
    choices: list = [("", "全部领域")]
    for top in Field.objects.filter(parent__isnull=True).prefetch_related("areas"):
        group = [(top.code, f"{top.name}（全部）")] + [(area.code, area.name) for area in top.areas.all()]
        choices.append((top.name, group))
    return choices


def region_choices() -> list:
    """The province with its prefectures first, then other provinces and abroad."""
    regions = list(Region.objects.all())
    choices: list = [("", "全部地区")]
    for province in (r for r in regions if r.kind == Region.Kind.PROVINCE):
        prefectures = [(r.code, r.name) for r in regions if r.parent_id == province.pk]
        choices.append((province.name, [(province.code, f"{province.name}（全省）"), *prefectures]))
    for kind in (Region.Kind.OTHER_PROVINCE, Region.Kind.ABROAD):
        group = [(r.code, r.name) for r in regions if r.kind == kind]
        if group:
            choices.append((kind.label, group))
    orphans = [(r.code, r.name) for r in regions if r.kind == Region.Kind.PREFECTURE and r.parent_id is None]
    if orphans:
        choices.append((Region.Kind.PREFECTURE.label, orphans))
    return choices


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False, max_length=100, strip=True)
    kind = forms.ChoiceField(label="类别", required=False)
    field = forms.ChoiceField(label="领域", required=False)
    mode = forms.ChoiceField(label="合作方式", required=False)
    region = forms.ChoiceField(label="地区", required=False)
    status = forms.ChoiceField(label="状态", required=False)
    grade = forms.ChoiceField(label="分级", required=False)
    organisation = forms.IntegerField(
        label="单位", required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(label="排序", required=False, choices=SORT_CHOICES)

    def __init__(self, data=None, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [("", "全部类别"), *Listing.Kind.choices]
        self.fields["field"].choices = field_choices()
        self.fields["mode"].choices = [("", "全部合作方式"), *CooperationMode.objects.values_list("code", "name")]
        self.fields["region"].choices = region_choices()
        self.fields["status"].choices = [("", "全部状态"), *self._status_choices(user)]
        self.fields["grade"].choices = [("", "全部分级"), *Listing.Grade.choices]
        self.fields["q"].widget.attrs["placeholder"] = "项目名称、内容或单位"
        for name, bound_field in self.fields.items():
            if name == "organisation":
                continue
            css = "form-select form-select-sm" if isinstance(bound_field, forms.ChoiceField) else (
                "form-control form-control-sm")
            bound_field.widget.attrs["class"] = css

    @staticmethod
    def _status_choices(user) -> list:
        """Users who can see unpublished listings (reviewers, organisation members) may filter by any status."""
        if user is not None and user.is_authenticated and (user.is_reviewer or user.organisation_id):
            return list(Listing.Status.choices)
        return [(s.value, s.label) for s in PUBLIC_STATUSES]

    @property
    def has_ignored_values(self) -> bool:
        return self.is_bound and bool(self.errors)

    def value(self, name: str):
        """A valid cleaned value, or None for a missing or invalid one."""
        self.is_valid()  # runs the validation once; invalid fields are left out of cleaned_data
        return self.cleaned_data.get(name) or None

    def to_filters(self) -> ListingFilters:
        return ListingFilters(
            kind=self.value("kind") or "",
            field=self.value("field") or "",
            mode=self.value("mode") or "",
            region=self.value("region") or "",
            organisation=self.value("organisation"),
            status=self.value("status") or "",
            grade=self.value("grade") or "",
            q=self.value("q") or "",
            sort=self.value("sort") or "reference",
        )

    def selected_organisation(self) -> Organisation | None:
        pk = self.value("organisation")
        return Organisation.objects.filter(pk=pk).first() if pk else None

