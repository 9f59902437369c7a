"""Row locks for coupons: taken after the Session rows and the usage row (core/locking.py)."""

from rezerva.coupons.models import Coupon
from rezerva.tenancy.models import Business


def coupon_for_update(*, business: Business, code: str) -> Coupon | None:
    """Lock one coupon of this business by its code, so its uses are counted one at a time."""
    return (
        Coupon.objects.select_for_update(of=("self",)).filter(business=business, code=code).first()
    )
