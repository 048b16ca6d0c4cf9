"""Who may write, review, read and withdraw articles, and organise, join and record events (docs/publishing.md).

- Editors (信息发布编辑: model permission publishing.edit_article, accounts/roles.py) write drafts, submit them for
  review and withdraw what is published; reviewers (省科技厅审核员: publishing.review_article) approve with a
  publication time or return a draft with the reason. Drafts, articles in review and scheduled articles whose
  time has not come are seen by editors and reviewers only: everyone else gets 404, as if they did not exist.
- Events are created by holders of publishing.organise_event (the editors' role) and by verified members of a
  government organisation (the department, a prefecture bureau) for their own organisation; an event is managed
  (sign-ups decided, attendees checked in, outcomes recorded) by its organiser's verified members and the
  holders of publishing.organise_event. A draft event is seen by those only.
- Verified members of an organisation sign up; an attendee sees their own sign-up, its check-in code and meetings.
"""

import rules
from django.utils import timezone

from techmarket.common.permissions import has_django_perm, is_active, is_verified_member

is_editor = is_active & has_django_perm("publishing.edit_article")
is_article_reviewer = is_active & has_django_perm("publishing.review_article")
is_event_staff = is_active & has_django_perm("publishing.organise_event")


@rules.predicate
def is_public_article(user, article) -> bool:
    return bool(article is not None and article.status == "scheduled" and article.publish_at is not None
                and article.publish_at <= timezone.now())


@rules.predicate
def is_government_member(user) -> bool:
    return bool(is_verified_member(user) and user.organisation.kind == "government")


@rules.predicate
def is_organiser_member(user, event) -> bool:
    return bool(event is not None and is_verified_member(user) and user.organisation_id == event.organiser_id)


@rules.predicate
def is_visible_event(user, event) -> bool:
    return event is not None and event.status != "draft"


@rules.predicate
def is_signup_owner(user, signup) -> bool:
    return bool(signup is not None and user is not None and user.is_authenticated and signup.user_id == user.pk)


rules.add_perm("publishing.write", is_editor)
rules.add_perm("publishing.review", is_article_reviewer)
rules.add_perm("publishing.desk", is_editor | is_article_reviewer)
rules.add_perm("publishing.view", is_public_article | is_editor | is_article_reviewer)
rules.add_perm("publishing.withdraw", is_editor | is_article_reviewer)
rules.add_perm("publishing.organise_any", is_event_staff)
rules.add_perm("publishing.create_event", is_event_staff | is_government_member)
rules.add_perm("publishing.manage_event", is_event_staff | is_organiser_member)
rules.add_perm("publishing.view_event", is_visible_event | is_event_staff | is_organiser_member)
rules.add_perm("publishing.sign_up", is_verified_member)
rules.add_perm("publishing.attend", is_signup_owner)
