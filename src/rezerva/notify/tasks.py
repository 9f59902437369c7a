"""Background work for notifications: load by id, call one service (tasks stay thin)."""

from django.utils import timezone
from django_tasks import task

from rezerva.notify import services

# Rows per task: one SMTP connection each; a bulk cancel of 200 becomes four tasks.
CHUNK = 50


@task()
def send_emails_task(outbound_ids: list[int]) -> dict:
    """Send these outbox rows (each is claimed on its own, so a repeat sends nothing twice)."""
    return services.send_outbound_emails(outbound_ids=outbound_ids, now=timezone.now())


@task()
def sweep_outbox_task() -> dict:
    """Re-queue stuck rows, send lost ones and due reminders (also run by `manage.py sweep`)."""
    return services.sweep_outbox(now=timezone.now())


def enqueue_emails(outbound_ids: list[int]) -> None:
    """Queue send tasks for freshly committed outbox rows (the sweep covers a lost task)."""
    for start in range(0, len(outbound_ids), CHUNK):
        send_emails_task.enqueue(outbound_ids=list(outbound_ids[start : start + CHUNK]))
