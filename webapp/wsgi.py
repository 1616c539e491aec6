"""The application for a WSGI server that imports it in each worker process:
`gunicorn --workers 2 --bind 0.0.0.0:8000 webapp.wsgi:app`.

Once the app is built, what start-up made is frozen out of the garbage collector (as `docflow serve` does): it lives
as long as the worker, and otherwise every full collection walks it all — about 200,000 objects, 0.1–0.7 s under
load, paid now and then by whichever request set it off (a 300-point protocol's p95 on the bench). On Python 3.11
the garbage is then collected between requests, never inside one (webapp.collector). Not in create_app: tests
build thousands of apps in one process and would freeze their garbage."""

from __future__ import annotations

import gc

from webapp import collector, create_app

app = create_app()
gc.collect()
gc.freeze()
collector.between_requests(app)
