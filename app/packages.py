"""The app's packages, found by their place rather than by lists kept by hand.

Every package under ``app/`` keeps its tables in ``models.py`` and its HTTP routes in
``routes.py`` (with a ``BLUEPRINTS`` tuple): the factory registers the routes of each, and
Alembic sees the tables of each, so a new package needs no line here or in the factory.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

_APP = Path(__file__).resolve().parent


def package_modules(module: str) -> list[ModuleType]:
    """``app.<package>.<module>`` of every package that has one, in the packages' name order."""
    found = []
    for package in sorted(pkgutil.iter_modules([str(_APP)]), key=lambda p: p.name):
        if package.ispkg and (_APP / package.name / f"{module}.py").exists():
            found.append(importlib.import_module(f"app.{package.name}.{module}"))
    return found
