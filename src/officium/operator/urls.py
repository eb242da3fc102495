from django.urls import path

from officium.operator import views

app_name = "operator"

urlpatterns = [
    path("operator/", views.ConsoleView.as_view(), name="console"),
    path("operator/orgs/<int:org_id>/", views.OrganizationUsageView.as_view(), name="organization"),
    path("operator/support/<int:org_id>/<slug:area>/", views.SupportView.as_view(), name="support"),
    path("operator/forum/removals/", views.RemovalQueueView.as_view(), name="removals"),
    path("operator/forum/removals/<int:removal_id>/decide/", views.RemovalDecideView.as_view(),
         name="removal_decide"),
    path("o/<slug:org>/support-access/", views.SupportAccessView.as_view(), name="support_access"),
    path("o/<slug:org>/support-access/<int:grant_id>/revoke/", views.GrantRevokeView.as_view(),
         name="grant_revoke"),
    path("forum/", views.ForumView.as_view(), name="forum"),
    path("forum/new/", views.TopicNewView.as_view(), name="topic_new"),
    path("forum/t/<int:topic_id>/", views.TopicView.as_view(), name="topic"),
    path("forum/p/<int:post_id>/removal/", views.RemovalRequestView.as_view(), name="removal_new"),
    path("forum/removals/", views.MyRemovalsView.as_view(), name="my_removals"),
]
