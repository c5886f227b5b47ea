"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from socialhub import __version__
from socialhub.services.system import system_status

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    database: str
    database_ok: bool
    schema_current: bool
    schema_revision: str | None
    schema_head: str
    queue: str
    queue_ok: bool


@router.get("/health", response_model=Health, summary="Liveness: the process answers.")
def health() -> Health:
    return Health(version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "The database or queue is unreachable, or the schema is behind."}
    },
    summary="Readiness: the database answers at the newest migration, and the queue answers.",
)
def ready() -> JSONResponse:
    status = system_status()
    ok = status.database_ok and status.schema_current and status.queue_ok
    body = Readiness(
        status="ready" if ok else "not_ready",
        database=status.database,
        database_ok=status.database_ok,
        schema_current=status.schema_current,
        schema_revision=status.schema_revision,
        schema_head=status.schema_head,
        queue=status.queue,
        queue_ok=status.queue_ok,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
