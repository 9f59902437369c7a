"""Owner pages for coupons (P4): list with uses, create, edit; thin over coupons.services."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rezerva.catalog.models import Service
from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.forms import add_domain_error
from rezerva.core.timezones import NonexistentLocalTime, to_business_time, wall_time_to_utc
from rezerva.coupons import selectors as coupon_selectors
from rezerva.coupons import services as coupon_services
from rezerva.coupons.models import Coupon
from rezerva.dashboard.access import business_view
from rezerva.dashboard.forms import CouponForm
from rezerva.scheduling.models import Series
from rezerva.tenancy import plans
from rezerva.tenancy.selectors import has_feature


def _form(request, business, initial=None) -> CouponForm:
    return CouponForm(
        request.POST or None,
        initial=initial,
        currency=business.currency,
        services=Service.objects.filter(business=business, kind=Service.Kind.GROUP, is_active=True)
        .exclude(price_type="free")
        .order_by("name"),
        series=Series.objects.filter(business=business, is_active=True).order_by("title"),
    )


def _utc(data, name: str, business):
    """A typed wall time in UTC; a time the clocks skip (DST) is an error on that field."""
    if not data[name]:
        return None
    try:
        return wall_time_to_utc(data[name], business.timezone)
    except NonexistentLocalTime as exc:
        raise ValidationFailed({name: exc.message}) from exc


def _coupon_input(data, business) -> coupon_services.CouponInput:
    """Form values to the service's input; raises NonexistentLocalTime for a DST-gap time."""
    return coupon_services.CouponInput(
        code=data["code"],
        discount=data["discount"],
        percent_off=data["percent_off"],
        amount_off_minor=data["amount_off"],
        valid_from=_utc(data, "valid_from", business),
        valid_until=_utc(data, "valid_until", business),
        max_uses=data["max_uses"],
        max_uses_per_email=data["max_uses_per_email"],
        service_ids=frozenset(int(pk) for pk in data["services"]),
        series_ids=frozenset(int(pk) for pk in data["series"]),
        is_active=data["is_active"],
    )


def _initial(coupon: Coupon, business) -> dict:
    def local(moment):
        return to_business_time(moment, business.timezone).replace(tzinfo=None) if moment else None

    return {
        "code": coupon.code,
        "discount": coupon.discount,
        "percent_off": coupon.percent_off,
        "amount_off": coupon.amount_off_minor,
        "valid_from": local(coupon.valid_from),
        "valid_until": local(coupon.valid_until),
        "max_uses": coupon.max_uses,
        "max_uses_per_email": coupon.max_uses_per_email,
        "services": [str(s.pk) for s in coupon.services.all()],
        "series": [str(s.pk) for s in coupon.series.all()],
        "is_active": coupon.is_active,
    }


@business_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def coupon_list(request):
    """Every coupon with its uses, and a form for a new one (only on plans with coupons)."""
    business = request.business
    now = timezone.now()
    allowed = has_feature(business, plans.COUPONS, now=now)
    form = _form(request, business, initial={"is_active": True}) if allowed else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            coupon_services.create_coupon(
                business=business,
                actor=request.user,
                data=_coupon_input(form.cleaned_data, business),
                now=now,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Coupon created. Guests now see a coupon field.")
            return redirect("dashboard:coupon_list")
    coupons = coupon_selectors.coupons_of(business=business, now=now)
    return render(
        request,
        "dashboard/coupons.html",
        {
            "form": form,
            "coupons": [(c, coupon_selectors.coupon_label(c, business.locale)) for c in coupons],
            "allowed": allowed,
            "upgrade_plan": plans.cheapest_plan_with(plans.COUPONS),
        },
    )


@business_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def coupon_edit(request, coupon_id: int):
    """Change a coupon; switching it off keeps its history."""
    business = request.business
    coupon = coupon_selectors.get_coupon_for_business(business=business, coupon_id=coupon_id)
    form = _form(request, business, initial=_initial(coupon, business))
    if request.method == "POST" and form.is_valid():
        try:
            coupon_services.update_coupon(
                coupon=coupon,
                actor=request.user,
                data=_coupon_input(form.cleaned_data, business),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Coupon saved.")
            return redirect("dashboard:coupon_list")
    return render(request, "dashboard/coupon_edit.html", {"form": form, "coupon": coupon})
