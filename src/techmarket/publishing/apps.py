from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "techmarket.publishing"
    verbose_name = "信息发布与对接活动"

    def ready(self):
        from techmarket.common import audit
        from techmarket.publishing.models import (
            Article,
            ArticleAction,
            Event,
            EventAction,
            Meeting,
            Outcome,
            SignUp,
        )

        audit.register_actions(Article, ArticleAction, values=Article.Status)
        audit.register_actions(Event, EventAction, values=Event.Status)
        audit.register_actions(SignUp, EventAction, values=SignUp.Status)
        audit.register_actions(Meeting, EventAction, values=Meeting.Status)
        audit.register_actions(Outcome, EventAction)
