from django.urls import path

from officium.comms import views

app_name = "comms"

urlpatterns = [
    path("comms/unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("comms/newsletter/", views.newsletter, name="newsletter"),
    path("comms/newsletter/confirm/<str:token>/", views.newsletter_confirm, name="newsletter_confirm"),
    path("comms/contact/", views.contact, name="contact"),
    path("comms/support/", views.support, name="support"),
    path("comms/complaints/", views.complaints, name="complaints"),
    path("comms/complaints/<uuid:reference>/", views.complaint, name="complaint"),
    path("comms/staff/complaints/", views.staff_complaints, name="staff_complaints"),
    path("comms/staff/complaints/<int:complaint_id>/", views.staff_complaint, name="staff_complaint"),
    path("comms/staff/announce-transfer/", views.announce_transfer, name="announce_transfer"),
    path("comms/announcements/dismiss/", views.dismiss_announcement, name="dismiss_announcement"),
    path("o/<slug:org>/comms/mail/", views.MailSettingsView.as_view(), name="mail_settings"),
]
