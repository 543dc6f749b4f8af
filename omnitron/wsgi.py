import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from omnitron.proxy import ClientAddressFromProxy

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")
application = get_wsgi_application()
if settings.BEHIND_PROXY:
    application = ClientAddressFromProxy(application)
