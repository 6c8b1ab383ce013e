"""The scheduled jobs: the deadline sweep every minute and the digests at their times.

Jobs only write outbox rows (in the transaction that records them) and then call
``services.wake()``; the sender delivers. So a job that runs twice, or a job and the
start-up :func:`catch_up` racing, cannot send twice (see :mod:`bot.digests`), and a crash
after the commit loses nothing.

Times are wall-clock times in the province's zone (``settings.timezone``), passed to
the JobQueue as aware ``time`` objects, so the server's own zone does not matter.
``weekly_digest_weekday`` counts Monday = 0 like Python; the JobQueue counts Sunday = 0,
hence the shift below.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, Job

from bot.deadlines import sweep
from bot.digest_periods import DAILY, MONTHLY, UNIT, WEEKLY
from bot.digests import DigestServices, catch_up, send_due

log = logging.getLogger(__name__)

__all__ = ["JOB_NAMES", "catch_up", "register_jobs", "run_sweep"]

SWEEP_SECONDS = 60
JOB_NAMES = (
    "tinbao:deadline-sweep",
    "tinbao:daily-digest",
    "tinbao:weekly-digest",
    "tinbao:monthly-digest",
)
# A digest job that could not start on time (event loop busy, clock jump) still runs
# within an hour; beyond that the next start-up catch-up is the safety net.
DIGEST_JOB_KWARGS = {"misfire_grace_time": 3600, "coalesce": True}
SWEEP_JOB_KWARGS = {"misfire_grace_time": 30, "coalesce": True, "max_instances": 1}

Context = CallbackContext[Any, Any, Any, Any]


def _services(context: Context) -> DigestServices:
    job: Job[Any] | None = context.job
    assert job is not None and isinstance(job.data, DigestServices)
    return job.data


async def run_sweep(services: DigestServices, now: datetime | None = None) -> None:
    result = await sweep(services.db, services.settings, now or services.clock())
    if result.enqueued:
        services.wake()


async def _sweep_job(context: Context) -> None:
    await run_sweep(_services(context))


async def _daily_job(context: Context) -> None:
    await send_due(_services(context), kinds=(DAILY, UNIT))


async def _weekly_job(context: Context) -> None:
    await send_due(_services(context), kinds=(WEEKLY,))


async def _monthly_job(context: Context) -> None:
    await send_due(_services(context), kinds=(MONTHLY,))


def register_jobs(app: Application[Any, Any, Any, Any, Any, Any], services: DigestServices) -> None:
    """Add the jobs to the Application's JobQueue (it starts with ``app.start()``).

    Call :func:`catch_up` once after start-up as well: jobs only fire from now on."""
    queue = app.job_queue
    if queue is None:
        raise RuntimeError("the JobQueue is missing: install python-telegram-bot[job-queue]")
    settings = services.settings
    at = settings.daily_digest_time.replace(tzinfo=settings.tz)
    sweep_name, daily_name, weekly_name, monthly_name = JOB_NAMES
    queue.run_repeating(
        _sweep_job,
        interval=SWEEP_SECONDS,
        first=SWEEP_SECONDS,
        name=sweep_name,
        data=services,
        job_kwargs=SWEEP_JOB_KWARGS,
    )
    queue.run_daily(
        _daily_job, time=at, name=daily_name, data=services, job_kwargs=DIGEST_JOB_KWARGS
    )
    queue.run_daily(
        _weekly_job,
        time=at,
        days=((settings.weekly_digest_weekday + 1) % 7,),
        name=weekly_name,
        data=services,
        job_kwargs=DIGEST_JOB_KWARGS,
    )
    queue.run_monthly(
        _monthly_job,
        when=at,
        day=settings.monthly_digest_day,
        name=monthly_name,
        data=services,
        job_kwargs=DIGEST_JOB_KWARGS,
    )
    log.info(
        "scheduled: deadline sweep every %ss; digests at %s %s",
        SWEEP_SECONDS,
        at,
        settings.timezone,
    )
