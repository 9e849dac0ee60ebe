"""The registry of timed items: what kinds of item carry an SLA clock, and how the check
treats each.

A domain (leads now; consumer questions and service requests later) registers a
``TimedKind`` when it is imported; the SLA check (``app.sla.check``) then advances the
clocks of every registered kind without knowing any of them. ``app.sla`` never imports a
domain: the domain brings what only it knows (its table, its owner and team columns, the
wording of its reminders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple


class Wording(NamedTuple):
    """What a reminder about an item says and where it opens."""

    title: str  # "First response due soon: Ada (Acme)"
    url: str  # "/leads/<id>"


@dataclass(frozen=True)
class DefaultTarget:
    """A metric's target when an organisation has set no policy for it, in business minutes."""

    target_minutes: int
    warn_ratio: float
    escalate_after_minutes: int


@dataclass(frozen=True)
class TimedKind:
    """One kind of item with an SLA clock.

    ``model`` is its ORM class: ``TenantScoped`` (``org_id`` leads the key), with ``id``,
    ``version`` and the ``SlaClockColumns`` of ``app.sla.clock``. Its due items are found
    through ``sla_next_at`` (``<= now``, earliest first), so the model must index that
    column (``Index("ix_<table>_sla_next_at", "sla_next_at")``): the check then costs what
    is due, not what is open.
    """

    item_type: str  # in sla_events, sla_policies and reminders: "lead"
    model: type
    calendar_kind: str  # whose business hours count its deadlines: "sales"
    owner_column: str  # the person told of warnings and breaches: "owner_id"
    team_column: str | None  # whose team leads hear of escalations (None: the admins)
    wording: Callable[[Any, str], Wording]  # (item, milestone) -> Wording
    default_targets: dict[str, DefaultTarget]  # metric -> target without a policy
    # Who hears of warnings and breaches of an item nobody owns yet (a question no one has
    # claimed: the whole desk); None: nobody but the escalation.
    unowned_audience: Callable[[], list[Any]] | None = None

    def owner_id(self, item: Any):
        return getattr(item, self.owner_column)

    def team_id(self, item: Any):
        return getattr(item, self.team_column) if self.team_column else None


_KINDS: dict[str, TimedKind] = {}


def register_timed_kind(kind: TimedKind) -> TimedKind:
    """Add ``kind`` to what the SLA check advances. Registering a kind for the same model
    again (its module imported again) replaces it; another model under a taken
    ``item_type`` is an error."""
    known = _KINDS.get(kind.item_type)
    if known is not None and known.model is not kind.model:
        raise ValueError(f"a timed kind {kind.item_type!r} is registered already")
    _KINDS[kind.item_type] = kind
    return kind


def unregister_timed_kind(item_type: str) -> None:
    """Take a kind out of the check (tests that register one of their own)."""
    _KINDS.pop(item_type, None)


def timed_kinds() -> Iterator[TimedKind]:
    """Every registered kind, in the order of registration (the check's order)."""
    return iter(tuple(_KINDS.values()))


def timed_kind(item_type: str) -> TimedKind:
    return _KINDS[item_type]
