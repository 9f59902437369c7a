"""WSGI entry point (gunicorn -k gthread rezerva.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rezerva.settings")
application = get_wsgi_application()
