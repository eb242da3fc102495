import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")

# A request thread gives up the GIL for each database round trip and must win it back after:
# beside a thread busy in Python (a batch sync parsing and sealing its events), CPython makes
# it wait up to the switch interval (5 ms by default) each time, so a check-in's dozen round
# trips could add tens of milliseconds. 1 ms bounds that wait; OFFICIUM_SWITCH_INTERVAL_MS
# sets another value.
sys.setswitchinterval(float(os.environ.get("OFFICIUM_SWITCH_INTERVAL_MS", "1")) / 1000)

application = get_wsgi_application()

from officium.sqlite_checkpoints import start_for_server  # noqa: E402  (settings are loaded now)

start_for_server()
