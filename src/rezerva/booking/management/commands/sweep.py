"""manage.py sweep: the periodic housekeeping loop (expire lapsed holds); --once for cron."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from rezerva.booking.services import expire_holds


class Command(BaseCommand):
    help = "Expire lapsed seat holds every --every seconds (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, every: int, once: bool, **options):
        while True:
            counts = expire_holds(now=timezone.now())
            if counts.bookings or counts.purchases:
                self.stdout.write(
                    f"expired {counts.bookings} booking(s), {counts.purchases} purchase(s)"
                )
            if once:
                return
            time.sleep(every)
