"""manage.py load_demo: the demo businesses and accounts (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from rezerva.dashboard import demo


class Command(BaseCommand):
    help = "Load the demo businesses (Studio Lumen, Hair by Ola); running it twice changes nothing."

    def handle(self, *args, **options):
        result = demo.load_demo(now=timezone.now())
        state = "loaded" if result.created else "already present, nothing changed"
        site = settings.SITE_URL
        self.stdout.write(
            f"Demo data {state}.\n"
            f"  Owner login:    {site}{reverse('accounts:login')}  "
            f"{demo.LUMEN_OWNER} / {demo.DEMO_PASSWORD}\n"
            f"  Starter owner:  {demo.STARTER_OWNER} / {demo.DEMO_PASSWORD}\n"
            f"  Staff admin:    {site}/admin/  {demo.STAFF_ADMIN} / {demo.DEMO_PASSWORD}\n"
            f"  Public hub:     {site}{reverse('hub:business', args=[result.lumen.slug])}\n"
        )
