"""Background work for bookings: load nothing, call one service (tasks stay thin)."""

from django.utils import timezone
from django_tasks import task

from rezerva.booking.services import expire_holds


@task()
def expire_holds_task() -> dict:
    """Tidy lapsed holds into `expired` (seats already stopped counting when the hold lapsed)."""
    counts = expire_holds(now=timezone.now())
    return {"bookings": counts.bookings, "purchases": counts.purchases}
