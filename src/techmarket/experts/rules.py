"""Who may do what in the expert pool (docs/experts.md). Contacts follow the platform's rule
accounts.see_contacts."""

import rules

from techmarket.common.permissions import has_django_perm, is_active

is_expert_verifier = has_django_perm("experts.verify_expert")


@rules.predicate
def is_own_profile(user, expert) -> bool:
    return bool(expert is not None and is_active(user) and expert.user_id == user.pk)


@rules.predicate
def is_public(user, expert) -> bool:
    return bool(expert is not None and expert.status == "verified")


# Any active, logged-in user may register themself as an expert (verification follows).
rules.add_perm("experts.join", is_active)
# Reviewers (the role grants experts.verify_expert) verify profiles, draw reviewers and read the draws.
rules.add_perm("experts.verify", is_expert_verifier)
rules.add_perm("experts.assign", is_expert_verifier)
rules.add_perm("experts.see_assignments", is_expert_verifier)
# A profile: public once verified; before that its owner and the verifiers see it.
rules.add_perm("experts.view_profile", is_public | is_own_profile | is_expert_verifier)
# Phones and e-mails are asked of the platform's rule, accounts.see_contacts (services/profiles.contacts).
