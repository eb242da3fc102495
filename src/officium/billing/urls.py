from django.urls import path

from officium.billing import views

app_name = "billing"

urlpatterns = [
    path("o/<slug:org>/billing/", views.BillingView.as_view(), name="billing"),
    path("o/<slug:org>/billing/plan/<slug:code>/", views.PlanChangeView.as_view(), name="plan_change"),
    path("o/<slug:org>/billing/card/remove/", views.CardRemoveView.as_view(), name="card_remove"),
    path("o/<slug:org>/billing/invoices/<int:invoice_id>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("o/<slug:org>/billing/invoices/<int:invoice_id>/pay/", views.InvoicePayView.as_view(), name="invoice_pay"),
    path("o/<slug:org>/usage/", views.UsageView.as_view(), name="usage"),
    path("billing/webhooks/provider/", views.WebhookView.as_view(), name="webhook"),
]
