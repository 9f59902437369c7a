"""Child process for test_worker_killed: places a booking and SIGKILLs itself before commit.

Run as `python -m tests.faults.killed_worker <slug> <single|series> <id>` with DATABASE_URL set
to the test database. Right after the first INSERT into the bookings table (still inside the
placing transaction) it writes one JSON line (its backend pid, whether a transaction was open)
and kills itself: no rollback, no cleanup, the way the OOM killer or `kill -9` ends a worker.
"""

import json
import os
import signal
import sys

import django


def main(slug: str, kind: str, target_id: int) -> None:
    """Place the booking; never returns (the process dies mid-transaction)."""
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from rezerva.booking.services import GuestDetails, book_single_run, purchase_series
    from rezerva.tenancy.models import Business

    def die_after_bookings_insert(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "booking_booking"'):
            state = {
                "backend_pid": connection.connection.info.backend_pid,
                "in_transaction": connection.in_atomic_block,
            }
            sys.stdout.write(json.dumps(state) + "\n")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    business = Business.objects.get(slug=slug)
    guest = GuestDetails("Killed Worker", "killed@example.test")
    with connection.execute_wrapper(die_after_bookings_insert):
        if kind == "series":
            purchase_series(business=business, series_id=target_id, guest=guest, now=timezone.now())
        else:
            book_single_run(
                business=business, session_id=target_id, guest=guest, now=timezone.now()
            )
    sys.exit("the worker was not killed: no booking insert was seen")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
