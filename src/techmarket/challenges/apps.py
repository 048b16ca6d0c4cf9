from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "techmarket.challenges"
    verbose_name = "揭榜挂帅与技术攻关"

    def ready(self):
        from techmarket.challenges.models import Action, Agreement, Challenge, Clarification, Milestone, Proposal
        from techmarket.common import audit

        audit.register_actions(Challenge, Action, values=Challenge.Status)
        audit.register_actions(Proposal, Action, values=Proposal.Status)
        audit.register_actions(Clarification, Action)
        audit.register_actions(Agreement, Action, values=Agreement.Status)
        audit.register_actions(Milestone, Action, values=Milestone.Status)
