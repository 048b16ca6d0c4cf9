"""Routes of information publishing and matchmaking events, mounted at /publishing/ (docs/publishing.md)."""

from django.urls import path

from techmarket.publishing.views import articles, events

app_name = "publishing"

urlpatterns = [
    path("", articles.news, name="news"),
    path("feed/rss/", articles.NewsFeed(), name="feed-rss"),
    path("feed/atom/", articles.AtomNewsFeed(), name="feed-atom"),
    path("articles/<int:pk>/", articles.article, name="article"),
    path("articles/<int:pk>/attachments/<int:attachment_pk>/", articles.attachment, name="attachment"),
    path("desk/", articles.desk, name="desk"),
    path("desk/new/", articles.article_new, name="article-new"),
    path("articles/<int:pk>/edit/", articles.article_edit, name="article-edit"),
    path("articles/<int:pk>/act/", articles.article_act, name="article-act"),
    path("events/", events.event_list, name="events"),
    path("events/new/", events.event_new, name="event-new"),
    path("events/mine/", events.mine, name="mine"),
    path("events/statistics/", events.year_statistics, name="statistics"),
    path("events/<int:pk>/", events.event_detail, name="event"),
    path("events/<int:pk>/calendar.ics", events.event_calendar, name="calendar"),
    path("events/<int:pk>/signup/", events.event_signup, name="signup"),
    path("events/<int:pk>/edit/", events.event_edit, name="event-edit"),
    path("events/<int:pk>/manage/", events.manage, name="manage"),
    path("events/<int:pk>/manage/act/", events.manage_act, name="manage-act"),
    path("events/<int:pk>/checkin/<str:token>/", events.checkin, name="checkin"),
    path("events/<int:pk>/attend/", events.attend, name="attend"),
    path("events/<int:pk>/attend/act/", events.attend_act, name="attend-act"),
]
