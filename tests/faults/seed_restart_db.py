"""Child process for test_database_restart: one business with one small run on a fresh database.

Run as `python -m tests.faults.seed_restart_db <capacity>` with DATABASE_URL pointing at the
throwaway cluster; writes {"slug": ..., "session_id": ...} as one JSON line.
"""

import json
import sys

import django


def main(capacity: int) -> None:
    """Create the business, a pay-on-site group service and one run a week ahead."""
    django.setup()
    from django.utils import timezone

    from tests import builders

    now = timezone.now()
    business = builders.make_business(name="Restart Studio", slug="restart-studio", now=now)
    service = builders.make_group_service(business, now=now)
    run = builders.make_session(service, capacity=capacity, now=now)
    sys.stdout.write(json.dumps({"slug": business.slug, "session_id": run.pk}) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]))
