"""Row locks on runs: the only place Session rows are selected for update (LOCK ORDER step 1)."""

from collections.abc import Iterable

from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import Business


def sessions_for_update(
    *, business: Business, session_ids: Iterable[int], with_offer: bool = False
) -> list[Session]:
    """Lock the business's runs with these ids, ascending by id; returns them evaluated.

    `with_offer` reads each run's service and series in the same statement (not locked), as
    committed when the lock is granted: placing re-checks what is on sale against them.

    FOR NO KEY UPDATE, not FOR UPDATE: lockers still exclude each other, but a transaction
    that already inserted rows pointing at a run (a foreign key check takes FOR KEY SHARE on it)
    never deadlocks with one that holds this lock. Placing writes first and locks last
    (booking/services/placing.py).
    """
    runs = Session.objects.select_for_update(of=("self",), no_key=True)
    if with_offer:
        runs = runs.select_related("service", "series")
    return list(runs.filter(business=business, pk__in=sorted(set(session_ids))).order_by("pk"))


def series_for_update(*, business: Business, series_id: int) -> Series:
    """Lock one series row (taken after its runs, never before)."""
    return Series.objects.select_for_update(of=("self",)).get(business=business, pk=series_id)
