"""The typed values that cross the CoreService boundary, and their JSON shapes.

The same ``to_json``/``from_json`` shapes are the admin API's bodies and what the audit
log stores to replay an action's result, so the three never drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf the back-office acts."""

    email: str
    role: str


@dataclass(frozen=True)
class ActionResult:
    """What an action did. ``detail`` names records by id only (it is audited as is)."""

    ok: bool
    message: str
    target_type: str
    target_id: str | None  # None only for an event about no single record
    version: int | None = None  # the record's new version, for the next action on it
    job_id: int | None = None  # set when the work continues as a job
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActionResult:
        return cls(
            ok=bool(data["ok"]),
            message=str(data["message"]),
            target_type=str(data["target_type"]),
            target_id=None if data.get("target_id") is None else str(data["target_id"]),
            version=data.get("version"),
            job_id=data.get("job_id"),
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class Job:
    """A long action's progress: ``progress`` runs from 0 to 1."""

    id: int
    kind: str
    status: str  # queued/running/done/failed
    progress: float
    result: dict[str, Any] | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        return cls(
            id=int(data["id"]),
            kind=str(data["kind"]),
            status=str(data["status"]),
            progress=float(data["progress"]),
            result=data.get("result"),
            error=data.get("error"),
        )
