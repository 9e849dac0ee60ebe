"""Flask CLI commands: ``flask --app wsgi demo-data``."""

from __future__ import annotations

import click
from flask import Flask

from app import demo
from app.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("demo-data")
    @click.option(
        "--if-empty", is_flag=True, help="Do nothing when the database has any organisation."
    )
    def demo_data(if_empty: bool) -> None:
        """Load a demo organisation and print its sign-ins once."""
        if if_empty and not demo.database_is_empty():
            click.echo("Database already has data; demo data not loaded.")
            return
        credentials = demo.load_demo_data()
        click.echo("Demo organisation 'Demo Trading Co.' created. Sign in with (shown only now):")
        for cred in credentials:
            click.echo(f"  {cred.role:<6} {cred.email:<28} {cred.password}")
        db.session.remove()

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Run the jobs that are due, then exit.")
    def scheduler_command(once: bool) -> None:
        """Run the scheduler (SLA checks, reminders, purges); only one runs at a time."""
        from app.scheduler.runner import Scheduler

        scheduler = Scheduler(app)
        if once:
            try:
                ran = scheduler.run_due()
            finally:
                with app.app_context():
                    # A session-level lock would outlive the run in the pooled connection.
                    scheduler.lock.release()
            click.echo(
                f"Ran: {', '.join(ran) or 'nothing (not due, or another scheduler holds the lock)'}"
            )
            return
        scheduler.serve()

    @app.cli.command("purge-tombstones")
    def purge_tombstones_command() -> None:
        """Delete sync tombstones older than TOMBSTONE_RETENTION_DAYS (run daily)."""
        from app.changelog.maintenance import purge_tombstones

        click.echo(f"Purged {purge_tombstones()} tombstones.")

    @app.cli.command("refresh-stored-changes")
    def refresh_stored_changes_command() -> None:
        """Store the sync change of every lead and follow-up that lacks a current one (after
        a bulk load; the scheduler does it hourly, a batch at a time)."""
        from app.changelog.stored import refresh_stored_changes

        total = 0
        while refreshed := refresh_stored_changes():
            total += refreshed
        click.echo(f"Stored the changes of {total} records.")
