"""Owner pages for money: a payment with its refunds (explicit only) and payment problems."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rezerva.core.errors import DomainError
from rezerva.core.forms import add_domain_error
from rezerva.dashboard import forms
from rezerva.dashboard.access import business_view
from rezerva.payments import selectors as payment_selectors
from rezerva.payments import services as payment_services


@business_view
@require_http_methods(["GET", "POST"])
def payment_detail(request, payment_id: int):
    """A payment with its refunds; the owner refunds all or part, with a reason (S3, G5)."""
    business = request.business
    payment = payment_selectors.get_payment_for_business(business=business, payment_id=payment_id)
    form = forms.RefundForm(
        request.POST or None,
        currency=business.currency,
        initial={"amount": payment.refundable_minor},
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment_services.refund_payment(
                payment=payment,
                amount_minor=form.cleaned_data["amount"] or 0,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Refund sent through Stripe.")
            return redirect("dashboard:payment_detail", payment_id=payment.pk)
    return render(
        request,
        "dashboard/payment_detail.html",
        {"payment": payment, "form": form, "refunds": payment.refunds.order_by("created_at")},
    )


@business_view
@require_POST
def payment_problem_resolve(request, payment_id: int):
    """The owner checked a payment problem at Stripe or with the guest: it leaves the list."""
    payment = payment_selectors.get_payment_for_business(
        business=request.business, payment_id=payment_id
    )
    payment_services.resolve_payment_problem(
        payment=payment, actor=request.user, now=timezone.now()
    )
    messages.success(request, "Marked as resolved.")
    return redirect("dashboard:payment_detail", payment_id=payment.pk)
