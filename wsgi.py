"""The WSGI entry point: ``gunicorn wsgi:app``, ``flask --app wsgi …``."""

import gc

from app import create_app

app = create_app()

# What start-up made (modules, the app, compiled SQL) lives as long as the process. Frozen,
# it is left out of every later garbage collection, which would otherwise walk it all and
# stall a request now and then for tens of milliseconds.
gc.freeze()
