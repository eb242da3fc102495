"""Settings for the test suite: the real settings with OFFICIUM_ENV=test (locmem email,
immediate tasks, a quick argon2)."""

import os

os.environ["OFFICIUM_ENV"] = "test"

from officium.settings import *  # noqa: E402, F403
