"""manage.py sweep: housekeeping for lapsed holds and their Checkout Sessions, payments whose
webhook is late or lost (re-read from Stripe), and the email outbox (stuck or lost emails, due
reminders); --once for cron. It lives in notify, the highest domain app, because it calls into
booking, payments and notify alike (apps import downward only; see tests/test_layering.py)."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from rezerva.booking.services import expire_holds
from rezerva.notify.services import sweep_outbox
from rezerva.payments.services import expire_lapsed_checkouts, reconcile_pending_payments


class Command(BaseCommand):
    help = "Expire lapsed seat holds every --every seconds (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, every: int, once: bool, **options):
        while True:
            now = timezone.now()
            counts = expire_holds(now=now)
            closed = expire_lapsed_checkouts(now=now)
            reconciled = reconcile_pending_payments(now=now)
            outbox = sweep_outbox(now=now)
            if counts.bookings or counts.purchases or closed:
                self.stdout.write(
                    f"expired {counts.bookings} booking(s), {counts.purchases} purchase(s); "
                    f"closed {closed} checkout session(s)"
                )
            if reconciled:
                self.stdout.write(f"reconciled {reconciled} payment(s) with Stripe")
            if any(outbox.values()):
                self.stdout.write(
                    "outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(outbox.items()))
                )
            if once:
                return
            time.sleep(every)
