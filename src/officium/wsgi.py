import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officium.settings")

# A request thread gives up the GIL for each database round trip and must win it back after:
# beside a thread busy in Python (a batch sync parsing and sealing its events), CPython makes
# it wait up to the switch interval (5 ms by default) each time, so a check-in's dozen round
# trips (two or three GIL hand-overs each) could add tens of milliseconds. A quarter of a
# millisecond bounds each wait (measured beside batch syncs: check-in p95 24 ms at 1 ms, 15 ms
# at 0.25 ms; the batch loses little, it switches a few thousand times a second instead of a
# thousand); OFFICIUM_SWITCH_INTERVAL_MS sets another value.
sys.setswitchinterval(float(os.environ.get("OFFICIUM_SWITCH_INTERVAL_MS", "0.25")) / 1000)

application = get_wsgi_application()

from officium.sqlite_checkpoints import start_for_server  # noqa: E402  (settings are loaded now)

start_for_server()
