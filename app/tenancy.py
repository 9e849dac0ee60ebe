"""The current organisation, and the rule that every ORM query is scoped by it.

A query on a ``TenantScoped`` model gets ``org_id = <current organisation>`` added by a
session hook (SQLAlchemy's ``with_loader_criteria`` recipe), so a service cannot forget the
scope. With no organisation set, such a query raises instead of reading every tenant: code
that really must cross organisations (sign-in by email, the scheduler) says so explicitly
with ``all_orgs()`` and filters by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from app.database import TenantScoped

_current_org: ContextVar[uuid.UUID | None] = ContextVar("leadsync_current_org", default=None)
_all_orgs: ContextVar[bool] = ContextVar("leadsync_all_orgs", default=False)


class TenantScopeMissing(RuntimeError):
    """A query on tenant data ran with no organisation in scope."""


def current_org_id() -> uuid.UUID | None:
    return _current_org.get()


def set_current_org(org_id: uuid.UUID | None):
    """Set the organisation for the rest of this context; returns a token for ``reset``."""
    return _current_org.set(org_id)


def reset_current_org(token) -> None:
    _current_org.reset(token)


@contextmanager
def tenant(org_id: uuid.UUID) -> Iterator[None]:
    """Run a block as one organisation (scheduler jobs, CLI commands, tests). Inside
    ``all_orgs()`` it scopes again: a block that names its organisation reads only that."""
    token = _current_org.set(org_id)
    wide = _all_orgs.set(False)
    try:
        yield
    finally:
        _all_orgs.reset(wide)
        _current_org.reset(token)


@contextmanager
def all_orgs() -> Iterator[None]:
    """Run a block whose queries deliberately span organisations; filter by hand inside."""
    token = _all_orgs.set(True)
    try:
        yield
    finally:
        _all_orgs.reset(token)


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(issubclass(mapper.class_, TenantScoped) for mapper in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_current_org(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if _all_orgs.get() or state.execution_options.get("all_orgs"):
        return
    if not _touches_tenant_data(state):
        return  # Core statements on tables: the code that writes them filters by org_id
    org_id = _current_org.get()
    if org_id is None:
        # Refreshing an expired attribute or loading a relationship starts from a row
        # already loaded in scope (composite keys keep relations inside its organisation).
        if state.is_column_load or state.is_relationship_load:
            return
        raise TenantScopeMissing("query on tenant data with no organisation in scope")
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.org_id == org_id, include_aliases=True)
    )
