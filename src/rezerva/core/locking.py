"""Global lock order and lock timeouts.

LOCK ORDER (every transaction that locks more than one kind of row takes them in this order):
  1. Session rows, ascending id (scheduling.locks.sessions_for_update), or for an appointment
     its performer's row (catalog.locks.performer_for_update; placing an appointment never
     locks a run; a late payment for one locks its private run, then the performer)
  2. the business's MonthlyUsage row
  3. the Coupon row being redeemed (coupons.locks.coupon_for_update)
  4. Payment rows, ascending id
Series buyers and drop-in guests therefore queue on the same Session rows and cannot deadlock.
The owner-message cap takes a transaction-scoped advisory lock per business (notify/locks.py)
after the run and booking locks of the bulk action and before writing the outbox rows.
Booking rows, ascending id (booking.locks.bookings_for_update), come right after the Session
rows of their run and before step 2: the owner's bulk actions (booking.services.operations)
lock the run, then the selected bookings; a lone booking cancel locks just its booking; the
run and purchase cancel cascades lock their bookings in id order before the UPDATE (a bare
multi-row UPDATE locks in scan order). The hold sweep locks with SKIP LOCKED: it never waits,
so it cannot deadlock with a cascade or a late payment (booking/services/holds.py).

Placing a booking or purchase writes its new rows before step 1 and takes steps 1-3 last, so
the run is locked only for the recount, the usage tick and the commit (booking/services/placing.py).
Run locks are FOR NO KEY UPDATE: they still exclude each other, and never conflict with the
FOR KEY SHARE that a foreign key check on a new booking takes.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

LOCK_TIMEOUT_MS = 3000
# SQLSTATEs that mean "contention, try again": lock_not_available and deadlock_detected.
_CONTENTION_SQLSTATES = {"55P03", "40P01"}


def is_contention(exc: OperationalError) -> bool:
    """True when the database refused because of a lock timeout or deadlock (retryable)."""
    return getattr(exc.__cause__, "sqlstate", None) in _CONTENTION_SQLSTATES


@contextmanager
def lock_timeout(ms: int = LOCK_TIMEOUT_MS) -> Iterator[None]:
    """Inside a transaction on PostgreSQL, fail fast (SQLSTATE 55P03), never queue forever."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(ms)}")
    yield
