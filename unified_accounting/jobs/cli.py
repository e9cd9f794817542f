"""``unified-accounting worker``: a Celery worker for sync jobs, with the settings they need.

Registered through the ``unified_accounting.cli`` entry-point group, so the command exists
only where the ``celery`` extra is installed.
"""

from __future__ import annotations

import click

__all__ = ["worker", "worker_argv"]


def worker_argv(
    *, concurrency: int, pool: str, loglevel: str, hostname: str | None, beat: bool,
    schedule_file: str | None, max_tasks_per_child: int | None,
) -> list[str]:
    """The ``celery worker`` arguments of one sync worker.

    Prefetch multiplier 1 (one job per pool process at a time, set on the app), late
    acknowledgement and rejection on a lost pool process are what make a killed job run again;
    they are fixed in :func:`unified_accounting.jobs.app.create_app`.
    """
    argv = ["worker", f"--concurrency={concurrency}", f"--pool={pool}",
            f"--loglevel={loglevel}", "--prefetch-multiplier=1", "--without-gossip",
            "--without-mingle"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    if max_tasks_per_child:
        argv.append(f"--max-tasks-per-child={max_tasks_per_child}")
    if beat:
        argv.append("--beat")
        if schedule_file:
            argv.append(f"--schedule={schedule_file}")
    return argv


@click.command("worker")
@click.option("--concurrency", "-c", type=click.IntRange(min=1), default=2, show_default=True,
              help="Pool processes: jobs this worker runs at once.")
@click.option("--pool", type=click.Choice(["prefork", "solo", "threads"]), default="prefork",
              show_default=True, help="Celery pool; prefork isolates jobs in processes.")
@click.option("--loglevel", "-l", default="info", show_default=True)
@click.option("--hostname", "-n", default=None, help="Worker name (default: celery@host).")
@click.option("--every", "every_minutes", type=float, default=None,
              help="Also run beat, queueing a sync of every connection and business in the "
                   "token store every N minutes (run it in one worker only).")
@click.option("--schedule-file", default=None, help="Where beat keeps its last run times.")
@click.option("--max-tasks-per-child", type=click.IntRange(min=1), default=None,
              help="Replace a pool process after this many jobs.")
def worker(concurrency: int, pool: str, loglevel: str, hostname: str | None,
           every_minutes: float | None, schedule_file: str | None,
           max_tasks_per_child: int | None) -> None:
    """Run sync jobs from the Redis queue (settings from UNIFIED_ACCOUNTING_* variables)."""
    from unified_accounting.jobs.app import app
    from unified_accounting.jobs.runtime import Runtime

    if every_minutes is not None:
        from unified_accounting.jobs.schedule import every_connection, sync_schedule

        runtime = Runtime.open(app.conf.unified_accounting)
        try:
            targets = every_connection(runtime.store)
        finally:
            runtime.close()
        app.conf.beat_schedule = sync_schedule(targets, minutes=every_minutes)
        click.echo(f"beat: {len(targets)} syncs every {every_minutes:g} minutes", err=True)
    app.worker_main(worker_argv(
        concurrency=concurrency, pool=pool, loglevel=loglevel, hostname=hostname,
        beat=every_minutes is not None, schedule_file=schedule_file,
        max_tasks_per_child=max_tasks_per_child))
