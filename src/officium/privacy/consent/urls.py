from django.urls import path

from officium.privacy.consent import views

app_name = "consent"

urlpatterns = [
    path("privacy/cookies/", views.cookie_preferences, name="cookies"),
    path("privacy/consent/", views.preferences, name="preferences"),
    path("privacy/consent/receipts.json", views.receipts, name="receipts"),
    path(".well-known/gpc.json", views.gpc_json, name="gpc"),
]
