from django.urls import path

from officium.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("o/<slug:org>/welcome/", views.StartView.as_view(), name="start"),
    path("o/<slug:org>/welcome/dismiss/", views.DismissView.as_view(), name="dismiss"),
    path("o/<slug:org>/welcome/<str:setup_step>/", views.StepView.as_view(), name="step"),
]
