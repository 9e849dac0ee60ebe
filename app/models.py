"""Imports every package's ``models.py``, so that Alembic and the ORM see all tables."""

from app.packages import package_modules

MODULES = package_modules("models")
