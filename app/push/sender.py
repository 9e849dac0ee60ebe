"""Sending the outbox: ``deliver_due(now)`` is what the scheduler calls.

One run:

1. marks ``expired`` every waiting reminder whose ``expires_at`` has passed;
2. claims due reminders in batches — ``pending`` (or ``sending`` with a lapsed lease) with
   ``next_attempt_at <= now``, whose recipient is active and has at least one live
   subscription. On PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` so that several
   schedulers share the work; on SQLite the claiming transaction holds the write lock
   (``BEGIN IMMEDIATE``). Claimed rows become ``sending`` with a lease
   (``next_attempt_at = now + PUSH_LEASE_SECONDS``) and ``attempts + 1``; the claim is
   committed before any HTTP request, so no lock is held while talking to push services;
3. sends each claimed reminder to every subscription of its recipient with one
   ``requests.Session`` for the run (keep-alive connections per push service), as an
   RFC 8291 aes128gcm message with RFC 8292 VAPID, ``TTL``, ``Urgency`` and ``Topic``;
   one request after another, or ``PUSH_CONCURRENCY`` at a time;
4. records every request in ``reminder_attempts`` and settles each reminder:

   * 200/201/202 from at least one subscription → ``delivered``;
   * 404/410 → that subscription is deleted (the browser dropped it);
   * 429, 5xx or no answer → ``pending`` again at ``now + backoff`` (exponential,
     ``PUSH_RETRY_BASE_SECONDS · 2^(attempts-1)`` up to ``PUSH_RETRY_MAX_SECONDS``), or
     later if the push service said so in ``Retry-After`` (seconds or an HTTP date);
     after ``PUSH_MAX_ATTEMPTS`` → ``failed``;
   * 413 → ``failed`` and logged as a bug (payloads are checked to be < 3 KB first);
   * other 4xx → ``failed`` with the answer in ``last_error``;
   * every subscription gone (404/410) → ``pending`` again: it goes out when the person
     subscribes again, or expires.

A reminder for someone with no subscription is never claimed: it waits, ``pending``, until
they subscribe or it expires. The clock is the ``now`` argument (the VAPID token's ``exp``
alone uses the wall clock, as the push service checks it); the sender never sleeps.

The ``PUSH_*`` settings are read from ``current_app.config`` only: ``app/config.py`` reads
them from the environment and holds their defaults.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
import requests.adapters
from flask import current_app
from pywebpush import WebPusher, WebPushException
from sqlalchemy import delete, exists, insert, or_, select, tuple_, update

from app import outboxes
from app.accounts.models import User
from app.extensions import db
from app.push.models import DeliveryAttempt, PushSubscription, Reminder
from app.push.outbox import MAX_PAYLOAD_BYTES, payload_of
from app.push.vapid import VapidIdentity, get_vapid
from app.tenancy import all_orgs

log = logging.getLogger(__name__)

DELIVERED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})


@dataclass
class DeliveryStats(outboxes.SenderStats):
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0
    waiting: int = 0  # every subscription turned out gone: pending until a new one
    requests: int = 0
    subscriptions_removed: int = 0


@dataclass
class _Sub:
    org_id: uuid.UUID
    id: uuid.UUID
    info: dict


@dataclass
class _Job:
    org_id: uuid.UUID
    id: uuid.UUID
    user_id: uuid.UUID
    attempts: int
    ttl_seconds: int
    expires_at: datetime
    urgency: str
    topic: str | None
    payload: bytes
    # The recipient's live subscriptions, oldest first: where the reminder is sent.
    subs: list[_Sub]


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """``Retry-After`` as an absolute time: delta-seconds from ``now``, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def backoff(attempts: int) -> timedelta:
    config = current_app.config
    return outboxes.backoff(
        attempts, config["PUSH_RETRY_BASE_SECONDS"], config["PUSH_RETRY_MAX_SECONDS"]
    )


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _expire(now: datetime) -> int:
    table = Reminder.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.expires_at <= now, outboxes.waiting(table, now))
        .values(status="expired")
    )
    subs = PushSubscription.__table__
    db.session.execute(delete(subs).where(subs.c.expires_at <= now))
    db.session.commit()
    return result.rowcount or 0


def _live_subscription(now: datetime):
    return (
        (PushSubscription.org_id == Reminder.org_id)
        & (PushSubscription.user_id == Reminder.user_id)
        & or_(PushSubscription.expires_at.is_(None), PushSubscription.expires_at > now)
    )


def _claim(now: datetime, batch: int) -> list[_Job]:
    """Take up to ``batch`` due reminders (committed as ``sending``) with their targets."""
    lease = timedelta(seconds=current_app.config["PUSH_LEASE_SECONDS"])
    with all_orgs():
        reminders = outboxes.claim_due(
            Reminder,
            now,
            batch,
            lease,
            where=(
                Reminder.expires_at > now,
                exists().where(_live_subscription(now)),
                exists().where(
                    User.org_id == Reminder.org_id,
                    User.id == Reminder.user_id,
                    User.active.is_(True),
                ),
            ),
            order_by=(Reminder.next_attempt_at,),
        )
        if not reminders:
            db.session.commit()
            return []
        recipients = sorted({(r.org_id, r.user_id) for r in reminders})
        targets: dict[tuple, list[_Sub]] = {}
        for sub in db.session.scalars(
            select(PushSubscription)
            .where(
                tuple_(PushSubscription.org_id, PushSubscription.user_id).in_(recipients),
                or_(PushSubscription.expires_at.is_(None), PushSubscription.expires_at > now),
            )
            .order_by(PushSubscription.created_at)
        ):
            targets.setdefault((sub.org_id, sub.user_id), []).append(
                _Sub(sub.org_id, sub.id, sub.info())
            )
        jobs = [
            outboxes.detached(
                _Job, r, payload=payload_of(r), subs=targets.get((r.org_id, r.user_id), [])
            )
            for r in reminders
        ]
    db.session.commit()
    return jobs


def _send_one(
    http: requests.Session,
    vapid: VapidIdentity,
    job: _Job,
    sub: _Sub,
    now: datetime,
    timeout: float,
) -> tuple[int | None, str | None, str | None]:
    """One push request: (status code or None, Retry-After, error text)."""
    # Never ask the push service to keep a message longer than it is worth sending.
    ttl = max(0, min(job.ttl_seconds, int((job.expires_at - now).total_seconds())))
    headers = {"Urgency": job.urgency, **vapid.headers_for(_audience(sub.info["endpoint"]))}
    if job.topic:
        headers["Topic"] = job.topic
    try:
        response = WebPusher(sub.info, requests_session=http).send(
            job.payload,
            headers,
            ttl=ttl,
            content_encoding="aes128gcm",
            timeout=timeout,
        )
    except requests.RequestException as error:
        return None, None, f"{type(error).__name__}: {error}"[:300]
    except (WebPushException, ValueError) as error:  # unusable keys: not retryable
        return 400, None, f"bad subscription: {error}"[:300]
    text = None
    if response.status_code not in DELIVERED:
        text = f"{response.status_code} {response.reason}: {response.text[:200]}"
    return response.status_code, response.headers.get("Retry-After"), text


def _send_all(
    http: requests.Session, vapid: VapidIdentity, tasks: list[tuple[_Job, _Sub]], now: datetime
) -> dict[tuple, tuple[int | None, str | None, str | None]]:
    """Every (reminder, subscription) request, in turn or ``PUSH_CONCURRENCY`` at a time."""
    timeout = current_app.config["PUSH_HTTP_TIMEOUT"]
    workers = current_app.config["PUSH_CONCURRENCY"]

    def send(task: tuple[_Job, _Sub]):
        return _send_one(http, vapid, task[0], task[1], now, timeout)

    if workers <= 1 or len(tasks) <= 1:
        answers = [send(task) for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="push") as pool:
            answers = list(pool.map(send, tasks))
    return {(job.id, sub.id): answer for (job, sub), answer in zip(tasks, answers, strict=True)}


def _settle(
    http: requests.Session,
    vapid: VapidIdentity,
    jobs: list[_Job],
    now: datetime,
    stats: DeliveryStats,
) -> None:
    attempts: list[dict] = []
    updates: list[dict] = []
    gone: list[tuple] = []
    succeeded: list[tuple] = []
    max_attempts = current_app.config["PUSH_MAX_ATTEMPTS"]
    answers = _send_all(
        http,
        vapid,
        [(job, sub) for job in jobs if len(job.payload) < MAX_PAYLOAD_BYTES for sub in job.subs],
        now,
    )
    for job in jobs:
        outcome = {
            "delivered": False,
            "retry": False,
            "failed": None,
            "retry_at": None,
            "last_error": None,
        }
        if len(job.payload) >= MAX_PAYLOAD_BYTES:
            log.error("push payload of reminder %s is %d bytes; not sent", job.id, len(job.payload))
            outcome["failed"] = f"payload of {len(job.payload)} bytes is too large"
        subs = job.subs if not outcome["failed"] else []
        for sub in subs:
            status, retry_after, error = answers[(job.id, sub.id)]
            stats.requests += 1
            if status in DELIVERED:
                result = "delivered"
                outcome["delivered"] = True
                succeeded.append((sub.org_id, sub.id))
            elif status in GONE:
                result = "gone"
                gone.append((sub.org_id, sub.id))
            elif status is None or status == 429 or status >= 500:
                result = "retry"
                outcome["retry"] = True
                wait = parse_retry_after(retry_after, now)
                if wait is not None:
                    outcome["retry_at"] = max(outcome["retry_at"] or wait, wait)
            else:
                result = "failed"
                if status == 413:
                    log.error("push service refused reminder %s as too large (bug)", job.id)
                outcome["failed"] = error
            attempts.append(
                {
                    "org_id": job.org_id,
                    "id": uuid.uuid4(),
                    "reminder_id": job.id,
                    "subscription_id": sub.id,
                    "attempted_at": now,
                    "status_code": status,
                    "outcome": result,
                    "detail": error,
                }
            )
            if error:
                outcome["last_error"] = error
            if error and status not in GONE:
                stats.note_error(f"reminder {job.id}: {error}")
        row = {
            "b_org_id": job.org_id,
            "b_id": job.id,
            "status": "pending",
            "next_attempt_at": now,
            "delivered_at": None,
            "last_error": None,
        }
        row["last_error"] = outcome["last_error"] or outcome["failed"]
        if outcome["delivered"]:
            row.update(status="delivered", delivered_at=now)
            stats.delivered += 1
        elif outcome["retry"] and job.attempts < max_attempts:
            retry_at = now + backoff(job.attempts)
            if outcome["retry_at"] is not None and outcome["retry_at"] > retry_at:
                retry_at = outcome["retry_at"]
            row["next_attempt_at"] = retry_at
            stats.retried += 1
        elif outcome["retry"] or outcome["failed"]:
            row["status"] = "failed"
            stats.failed += 1
        else:
            # Every subscription was gone: wait (pending) for a new one, or expiry.
            stats.waiting += 1
        updates.append(row)

    if gone:
        subs = PushSubscription.__table__
        db.session.execute(delete(subs).where(tuple_(subs.c.org_id, subs.c.id).in_(gone)))
        stats.subscriptions_removed += len(gone)
    if succeeded:
        subs = PushSubscription.__table__
        db.session.execute(
            update(subs)
            .where(tuple_(subs.c.org_id, subs.c.id).in_(sorted(set(succeeded))))
            .values(last_success_at=now)
        )
    outboxes.settle(Reminder.__table__, updates)
    if attempts:
        db.session.execute(insert(DeliveryAttempt.__table__), attempts)
    db.session.commit()


def _new_session(concurrency: int) -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(10, concurrency))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def deliver_due(
    now: datetime,
    batch: int = 100,
    *,
    max_batches: int | None = None,
    http: requests.Session | None = None,
) -> DeliveryStats:
    """Send every reminder due at ``now`` (aware UTC), ``batch`` at a time; commits.

    Runs until nothing due is left or ``max_batches`` (default ``PUSH_MAX_BATCHES``)
    batches were sent. ``http`` is the session to reuse (one is made per run otherwise).
    Needs an app context; no organisation scope (it works across all of them).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware UTC datetime")
    started = time.monotonic()
    stats = DeliveryStats()
    vapid = get_vapid(current_app)
    session = http or _new_session(current_app.config["PUSH_CONCURRENCY"])
    try:
        stats.expired = _expire(now)
        claims = outboxes.due_batches(
            lambda: _claim(now, batch), batch, max_batches or current_app.config["PUSH_MAX_BATCHES"]
        )
        for jobs in claims:
            stats.claimed += len(jobs)
            _settle(session, vapid, jobs, now, stats)
    finally:
        db.session.rollback()
        if http is None:
            session.close()
    stats.log(log, "push", started)
    return stats
