"""Row locks on performers: the only place Performer rows are selected for update.

Placing an appointment locks its performer last (LOCK ORDER step 1, beside runs: an appointment
never locks a run), so every placement for one performer is checked one after another.
"""

from rezerva.catalog.models import Performer
from rezerva.tenancy.models import Business


def performer_for_update(*, business: Business, performer_id: int) -> Performer | None:
    """Lock one performer of the business. FOR NO KEY UPDATE, like runs: the appointment rows
    this transaction already inserted hold FOR KEY SHARE on her, which must not deadlock."""
    return (
        Performer.objects.select_for_update(of=("self",), no_key=True)
        .filter(business=business, pk=performer_id)
        .first()
    )
