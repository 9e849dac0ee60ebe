"""The scheduler process: APScheduler runs each job on its interval, only while this process
holds the database lock, and a restart runs an overdue job once (a coalesced catch-up run)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app.database import utcnow
from app.extensions import db
from app.scheduler.lock import SchedulerLock, lock_for_database
from app.scheduler.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], Any]  # called in an app context with the scheduler's "now"
    every: timedelta


def default_jobs(app: Flask) -> list[Job]:
    """The jobs of the product, with their intervals from the config."""
    from app.changelog.maintenance import purge_tombstones
    from app.changelog.stored import refresh_stored_changes
    from app.mail.outbox import DEFAULTS as MAIL_DEFAULTS
    from app.mail.sender import deliver_due as deliver_mail
    from app.push.sender import deliver_due
    from app.sla.check import run_sla_check

    return [
        Job("sla_check", run_sla_check, timedelta(seconds=app.config["SLA_CHECK_SECONDS"])),
        Job(
            "deliver_reminders", deliver_due, timedelta(seconds=app.config["REMINDER_SEND_SECONDS"])
        ),
        # Consumer email (replies to questions): queued by requests, sent and retried here.
        Job(
            "deliver_mail",
            deliver_mail,
            timedelta(
                seconds=app.config.get("MAIL_SEND_SECONDS", MAIL_DEFAULTS["MAIL_SEND_SECONDS"])
            ),
        ),
        Job("purge_tombstones", lambda now: purge_tombstones(), timedelta(days=1)),
        Job("refresh_stored_changes", lambda now: refresh_stored_changes(), timedelta(hours=1)),
    ]


class Scheduler:
    def __init__(
        self,
        app: Flask,
        jobs: list[Job] | None = None,
        lock: SchedulerLock | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.app = app
        self.jobs = jobs if jobs is not None else default_jobs(app)
        self.clock = clock
        with app.app_context():
            self.lock = lock or lock_for_database(clock)

    # --- one step at a time (also what tests drive) ----------------------------------

    def holds_lock(self) -> bool:
        with self.app.app_context():
            return self.lock.acquire()

    def last_started(self, name: str) -> datetime | None:
        with self.app.app_context():
            run = db.session.get(JobRun, name)
            db.session.rollback()
            return run.last_started_at if run else None

    def run_job(self, job: Job) -> bool:
        """Run ``job`` now if this process holds the lock; True if it ran."""
        with self.app.app_context():
            if not self.lock.acquire():
                return False
            now = self.clock()
            run = db.session.get(JobRun, job.name) or JobRun(name=job.name)
            run.last_started_at = now
            db.session.merge(run)
            db.session.commit()
            status, error = "ok", None
            try:
                job.run(now)
            except Exception as exc:  # noqa: BLE001 - one failing run must not stop the scheduler
                db.session.rollback()
                log.exception("job %s failed", job.name)
                status, error = "error", repr(exc)[:2000]
            run = db.session.get(JobRun, job.name)
            run.last_finished_at, run.last_status, run.last_error = self.clock(), status, error
            db.session.commit()
            db.session.remove()
            return True

    def run_due(self) -> list[str]:
        """Run every job whose interval has passed since its last run (once each)."""
        ran = []
        for job in self.jobs:
            last = self.last_started(job.name)
            if last is None or self.clock() - last >= job.every:
                if not self.run_job(job):
                    break
                ran.append(job.name)
        return ran

    # --- the long-running process -------------------------------------------------------

    def first_run_time(self, job: Job) -> datetime:
        last = self.last_started(job.name)
        now = self.clock()
        return now if last is None or last + job.every <= now else last + job.every

    def serve(self, lock_check: timedelta = timedelta(seconds=15)) -> None:  # pragma: no cover
        """Run forever. A second scheduler started by mistake keeps trying the lock and
        runs nothing until the first one dies."""
        scheduler = BlockingScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for job in self.jobs:
            scheduler.add_job(
                self.run_job,
                IntervalTrigger(seconds=job.every.total_seconds(), timezone=UTC),
                args=[job],
                id=job.name,
                next_run_time=self.first_run_time(job),
            )
        scheduler.add_job(
            self._keep_lock, IntervalTrigger(seconds=lock_check.total_seconds()), id="lock"
        )
        log.info("scheduler started with jobs: %s", ", ".join(j.name for j in self.jobs))
        try:
            scheduler.start()
        finally:
            with self.app.app_context():
                self.lock.release()

    def _keep_lock(self) -> None:  # pragma: no cover - exercised by serve()
        if not self.holds_lock():
            log.info("another scheduler holds the lock; waiting")
