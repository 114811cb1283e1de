import os

from django.core.wsgi import get_wsgi_application

import twitter.heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twitter.settings")

application = get_wsgi_application()
twitter.heap.settle()
