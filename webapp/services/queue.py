"""How a job reaches a worker. PostgreSQL: Procrastinate's queue, its row written in the caller's transaction
through its own SQL function (so a job is visible to workers exactly when the request that made it commits, and a
rolled-back request queues nothing). SQLite: the worker claims committed `job` rows itself (one machine)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text

from webapp.extensions import db

QUEUE = "docflow"
RUN_JOB = "docflow.run_job"  #: Procrastinate's task that runs one of our jobs by id

_DEFER = text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), "
              "CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1])")


def on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def defer(job_id: int, at: datetime | None = None) -> None:
    """Queue the job for a worker, in the current transaction; `at`: not before then (a retry). On SQLite the
    worker reads `job.run_after` itself."""
    if on_postgresql():
        db.session.execute(_DEFER, {"queue": QUEUE, "task": RUN_JOB, "args": json.dumps({"job_id": job_id}),
                                    "at": at})
