"""Exactly one scheduler runs jobs; a restart catches up once; a failing job does not stop it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.scheduler.lock import AdvisoryLock, LeaseLock
from app.scheduler.models import JobRun
from app.scheduler.runner import Job, Scheduler
from tests.conftest import MovingClock, is_postgres

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def counting_job(name: str, every: timedelta, calls: list) -> Job:
    return Job(name, lambda now: calls.append((name, now)), every)


def test_jobs_run_when_due_and_only_then(app):
    clock, calls = MovingClock(T0), []
    scheduler = Scheduler(
        app,
        [counting_job("minutely", timedelta(minutes=1), calls)],
        LeaseLock(clock=clock, holder="a"),
        clock,
    )
    assert scheduler.run_due() == ["minutely"]
    assert scheduler.run_due() == []  # not due yet
    clock.advance(seconds=61)
    assert scheduler.run_due() == ["minutely"]
    assert [c[1] for c in calls] == [T0, T0 + timedelta(seconds=61)]


def test_a_restart_after_downtime_runs_an_overdue_job_once(app):
    clock, calls = MovingClock(T0), []
    job = counting_job("minutely", timedelta(minutes=1), calls)
    Scheduler(app, [job], LeaseLock(clock=clock, holder="before"), clock).run_due()
    clock.advance(minutes=45)  # the scheduler was down for 45 runs
    restarted = Scheduler(
        app, [job], LeaseLock(clock=clock, holder="after", lease=timedelta(seconds=1)), clock
    )
    clock.advance(seconds=61)  # the old holder's lease has run out
    assert restarted.first_run_time(job) == clock.now  # due at once…
    assert restarted.run_due() == ["minutely"]  # …and run once, not 45 times
    assert len(calls) == 2


def test_a_second_scheduler_does_nothing_until_the_first_stops_renewing(app):
    if is_postgres(app):
        pytest.skip("PostgreSQL uses the advisory lock (tested below)")
    clock, calls = MovingClock(T0), []
    jobs = [counting_job("minutely", timedelta(minutes=1), calls)]
    first = Scheduler(
        app, jobs, LeaseLock(clock=clock, holder="first", lease=timedelta(seconds=60)), clock
    )
    second = Scheduler(
        app, jobs, LeaseLock(clock=clock, holder="second", lease=timedelta(seconds=60)), clock
    )
    assert first.holds_lock() and not second.holds_lock()
    clock.advance(seconds=30)  # within the lease
    assert second.run_job(jobs[0]) is False
    assert first.run_job(jobs[0]) is True  # and renewing it keeps it
    clock.advance(seconds=61)  # the first died: no renewal
    assert second.run_job(jobs[0]) is True
    assert first.holds_lock() is False
    assert len(calls) == 2


def test_two_schedulers_on_postgres_share_one_advisory_lock(app):
    if not is_postgres(app):
        pytest.skip("advisory locks are PostgreSQL's")
    calls: list = []
    jobs = [counting_job("once", timedelta(minutes=1), calls)]
    first, second = Scheduler(app, jobs, AdvisoryLock()), Scheduler(app, jobs, AdvisoryLock())
    try:
        assert first.holds_lock() and not second.holds_lock()
        assert second.run_due() == [] and calls == []
        with app.app_context():
            first.lock.release()  # the first process dies: its connection closes
        assert second.holds_lock()
    finally:
        with app.app_context():
            first.lock.release()
            second.lock.release()


def test_a_failing_job_is_recorded_and_the_next_still_runs(app):
    clock, calls = MovingClock(T0), []

    def broken(now):
        raise RuntimeError("boom")

    scheduler = Scheduler(
        app,
        [
            Job("broken", broken, timedelta(minutes=1)),
            counting_job("fine", timedelta(minutes=1), calls),
        ],
        LeaseLock(clock=clock, holder="x"),
        clock,
    )
    assert scheduler.run_due() == ["broken", "fine"]
    with app.app_context():
        run = db.session.get(JobRun, "broken")
        assert run.last_status == "error" and "boom" in run.last_error
        db.session.rollback()


def test_the_scheduler_command_runs_due_jobs_once(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "purge_tombstones" in result.output
    assert "refresh_stored_changes" in result.output
