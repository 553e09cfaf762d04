"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi ...` for commands.

Without APP_ENV=development this is production, which refuses to start unsafe (service/safety.py);
`flask --app wsgi doctor` (to say what is wrong) and the schema commands `flask --app wsgi db ...` are let
through such a configuration: they serve nothing and use no secret.
"""

import sys

from service import create_app
from service.safety import doctor_requested

app = create_app(refuse_unsafe=not doctor_requested(sys.argv))
