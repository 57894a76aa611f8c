"""WSGI entry point (``povexit.server.wsgi:application``) for waitress, gunicorn or any WSGI host."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povexit.server.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
