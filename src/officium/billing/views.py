"""Billing pages (BI1-BI4): parse, check access, call a service, render. The owner's only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from officium.accounts import localtime
from officium.accounts.roles import Role
from officium.accounts.scoping import OrganizationMixin, scoped_get
from officium.billing import invoices, limits, payments, pdf, plans, usage, webhooks
from officium.billing.forms import CardForm
from officium.billing.models import Invoice, InvoiceStatus, PlanTier
from officium.billing.providers import configured, provider
from officium.billing.providers.base import ProviderError
from officium.forms import apply_form_errors


class OwnerPage(OrganizationMixin, View):
    allowed_roles = (Role.OWNER,)

    def show(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.update(organization=self.organization, membership=self.membership,
                       zone=localtime.zone_for(self.organization))
        return render(self.request, f"billing/{template}", context, status=status)


class BillingView(OwnerPage):
    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        subscription = limits.subscription_for(self.organization)
        standing = limits.standing(self.organization, subscription.plan)
        plans = list(PlanTier.objects.filter(active=True))
        return self.show("billing.html", {
            "subscription": subscription, "plans": plans, "standing": standing,
            "too_small": {p.code: standing.fits(p) for p in plans if p.pk != subscription.plan_id and standing.fits(p)},
            "warn_percent": limits.WARN_PERCENT, "card": payments.saved_card(self.organization),
            "invoices": self.scoped(Invoice.objects.all()).prefetch_related("lines")[:24],
            "payments_ready": configured()})


class PlanChangeView(OwnerPage):
    """Choose a plan: the prorated amount due now, and the card if one is needed."""

    def context(self, code: str, form: CardForm) -> dict[str, Any]:
        subscription = limits.subscription_for(self.organization)
        try:
            new = limits.tier(code)
        except ValidationError:
            from django.http import Http404

            raise Http404 from None
        quote = plans.quote(self.organization, code)
        card = payments.saved_card(self.organization)
        needs_card = quote["due_now_cents"] > 0
        script = None
        if needs_card and configured():
            try:
                script = provider().browser()
            except ProviderError:
                script = None
        return {"plan": new, "current": subscription.plan, "quote": quote, "form": form, "card": card,
                "needs_card": needs_card, "script": script, "saving_offered": payments.saving_offered()}

    def render_form(self, code: str, form: CardForm, status: int = 200) -> HttpResponse:
        context = self.context(code, form)
        response = self.show("plan_change.html", context, status=status)
        script = context["script"]
        if script is not None:  # the provider's origin, on this page only
            response._csp_update = {"script-src": script.origins, "connect-src": script.origins,  # type: ignore[attr-defined]
                                    "frame-src": script.origins}
        return response

    def get(self, request: HttpRequest, org: str, code: str) -> HttpResponse:
        return self.render_form(code, CardForm())

    def post(self, request: HttpRequest, org: str, code: str) -> HttpResponse:
        form = CardForm(request.POST)
        use_new_card = bool(request.POST.get("payment_method"))
        if not use_new_card or form.is_valid():
            try:
                invoice = plans.change_plan(self.membership, code,
                                            form.service_data() if use_new_card else None)
            except ValidationError as error:
                if not use_new_card:
                    form.is_valid()
                apply_form_errors(form, error)
            else:
                done = f"Your plan is now {limits.tier(code).name}."
                if invoice is not None:
                    done += f" Invoice {invoice.number} ({invoice.total}) is paid and was emailed to you."
                messages.success(request, done)
                return redirect("billing:billing", org=org)
        return self.render_form(code, form, status=400)


class CardRemoveView(OwnerPage):
    def post(self, request: HttpRequest, org: str) -> HttpResponse:
        try:
            payments.remove_saved_card(self.membership)
        except ValidationError:
            messages.error(request, "There is no saved card.")
        else:
            messages.success(request, "The card was removed from the payment provider and from your account.")
        return redirect("billing:billing", org=org)


class InvoicePdfView(OwnerPage):
    def get(self, request: HttpRequest, org: str, invoice_id: int) -> HttpResponse:
        invoice = scoped_get(Invoice.objects.select_related("organization"), self.organization, pk=invoice_id)
        response = HttpResponse(pdf.render(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
        return response


class InvoicePayView(OwnerPage):
    """Pay an unpaid invoice now with the saved card."""

    def post(self, request: HttpRequest, org: str, invoice_id: int) -> HttpResponse:
        invoice = scoped_get(Invoice.objects.select_related("organization"), self.organization, pk=invoice_id)
        if invoice.status == InvoiceStatus.PAID:
            messages.info(request, f"Invoice {invoice.number} is paid already.")
        elif payments.saved_card(self.organization) is None:
            messages.error(request, "Save a card first (choose your plan again with a card), then pay.")
        elif invoices.attempt(invoice):
            messages.success(request, f"Invoice {invoice.number} is paid.")
        else:
            messages.error(request, f"The card was declined; invoice {invoice.number} is still unpaid.")
        return redirect("billing:billing", org=org)


class UsageView(OwnerPage):
    def get(self, request: HttpRequest, org: str) -> HttpResponse:
        return self.show("usage.html", {"days": usage.history(self.organization),
                                        "standing": limits.standing(self.organization),
                                        "subscription": limits.subscription_for(self.organization)})


@method_decorator(csrf_exempt, name="dispatch")
class WebhookView(View):
    """The provider's events: the signature is the authentication."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.http import JsonResponse

        try:
            event_id, fresh = webhooks.receive(request.body, request.headers.get("Stripe-Signature", ""))
        except webhooks.BadSignature as error:
            return JsonResponse({"code": "invalid", "message": error.message, "field": error.field}, status=400)
        except ProviderError as error:
            return JsonResponse({"code": error.code, "message": error.message, "field": None}, status=400)
        return JsonResponse({"received": event_id, "processed": fresh})
