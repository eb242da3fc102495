from django.urls import path

from officium.mail import views

app_name = "mail"

urlpatterns = [
    path("mail/outbox/", views.outbox, name="outbox"),
]
