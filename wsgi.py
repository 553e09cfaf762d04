"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi ...` for commands.

Without APP_ENV=development this is production, which refuses to start unsafe (service/safety.py);
`flask --app wsgi doctor` (to say what is wrong) and the schema commands `flask --app wsgi db ...` are let
through such a configuration: they serve nothing and use no secret.
"""

import gc
import sys

from service import create_app
from service.safety import doctor_requested

app = create_app(refuse_unsafe=not doctor_requested(sys.argv))

# What is loaded by now (modules, the app, its extensions, the address data, the password checker's
# dictionaries: some 300,000 objects) lives as long as the process. Frozen, the collector's full
# passes skip it: each took about 200 ms on the development machine, and the worklist paid ~30 ms of
# that per request on average (bench/README.md). Under a preloading server it also keeps the shared
# pages of a forked worker from being written to.
gc.collect()
gc.freeze()
