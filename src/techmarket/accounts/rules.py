"""Who a user is, for every app: acting for an organisation and seeing contact persons (docs/architecture.md,
"Permissions and errors"). User.can_submit_listings and User.can_see_contacts ask these rules."""

import rules

from techmarket.common.permissions import has_django_perm, is_verified_member, sees_contacts

# A verified, active user linked to an organisation acts for it: writes its listings, inquires, records contracts,
# applies for rewards, answers intents.
rules.add_perm("accounts.act_for_organisation", is_verified_member)
# Phones and e-mails of contact persons (personal data).
rules.add_perm("accounts.see_contacts", sees_contacts)
# Verifying members (核验): whoever holds the model permission accounts.verify_member (the reviewers' role,
# accounts/roles.py; superusers through Django's backend).
rules.add_perm("accounts.review_members", has_django_perm("accounts.verify_member"))
