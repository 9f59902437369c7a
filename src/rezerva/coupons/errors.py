"""Coupon errors: all shown on the coupon field, with a stable code for the API."""

from rezerva.core.errors import DomainError


class CouponNotValid(DomainError):
    """This coupon cannot be used."""

    code = "coupon_not_valid"
    field = "coupon_code"


class CouponUsedUp(CouponNotValid):
    """This coupon has been used up."""

    code = "coupon_used_up"
