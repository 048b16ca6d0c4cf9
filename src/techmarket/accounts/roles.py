"""Platform roles as Django groups, kept in step with this file after every migrate."""

from django.contrib.auth.models import Group, Permission

REVIEWERS = "省科技厅审核员"
REGISTRARS = "技术合同登记员"  # also need a registry assignment (market.RegistryStaff)
EDITORS = "信息发布编辑"  # the news desk and matchmaking events (publishing; reviewers approve its articles)

ROLE_PERMISSIONS = {
    REVIEWERS: ["catalogue.review_listing", "policy.review_application", "indicators.enter_value",
                "indicators.approve_value", "accounts.verify_member",
                "platforms.review_record",
                "experts.verify_expert", "publishing.review_article"],
    REGISTRARS: ["market.examine_registration"],
    EDITORS: ["publishing.edit_article", "publishing.organise_event"],
}


def ensure_roles(**kwargs) -> None:
    for group_name, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission:
                group.permissions.add(permission)
