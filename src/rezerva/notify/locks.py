"""Locks the notify layer takes; see core/locking.py for the global order.

`owner_messages_lock` is a PostgreSQL transaction-level advisory lock per business, taken last
(after the run and booking rows of the bulk action), so two message batches of one business
count the day's messages one after the other and cannot both slip under the cap. Only that
code path takes it, so it cannot deadlock with row locks. SQLite serialises writers anyway.
"""

from django.db import connection

# First key of the two-int advisory lock: a namespace, so other advisory locks never collide.
OWNER_MESSAGES_LOCK_NAMESPACE = 0x525A4D  # "RZM"


def owner_messages_lock(*, business_id: int) -> None:
    """Inside a transaction: wait (under lock_timeout) for this business's message counter."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                # int4 keys: a (rare) shared lock between two businesses only serialises them.
                [OWNER_MESSAGES_LOCK_NAMESPACE, business_id & 0x7FFFFFFF],
            )
