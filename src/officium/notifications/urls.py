from django.urls import path

from officium.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/settings/", views.email_settings, name="settings"),
    path("notifications/<int:notification_id>/open/", views.open_notification, name="open"),
]
