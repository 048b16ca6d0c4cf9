"""Targeted publishing (定向发布): reviewers send; verified members of the recipient organisation answer."""

import rules

from techmarket.catalogue.rules import is_listing_member, is_reviewer
from techmarket.common.permissions import is_verified_member


@rules.predicate
def is_intent_recipient(user, intent) -> bool:
    return bool(intent is not None and is_verified_member(user) and user.organisation_id == intent.organisation_id)


rules.add_perm("matching.send_intent", is_reviewer)
rules.add_perm("matching.respond_intent", is_intent_recipient)
rules.add_perm("matching.see_follow_up", is_reviewer | is_listing_member)
rules.add_perm("matching.use_inbox", is_verified_member)
