"""Clearance in bulk: set one stage date on many parcels at once (editors), as the workspace page and scripts do."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import BodyAfterAccess, EditorDep, EngineDep, request_id, wait_until_seen
from layers.clearance import DATED_STAGES
from layers.registry import get_layer
from layers.stages import MAX_PARCELS, STAGE_FIELDS, set_stage

router = APIRouter(tags=["Land clearance"], route_class=BodyAfterAccess)

DatedStage = StrEnum("DatedStage", {stage: stage for stage in DATED_STAGES})  # type: ignore[misc]
ParcelRef = Annotated[
    int | Annotated[str, Field(max_length=80)],
    Field(description="a feature id, PROJECT_UID:map_sheet/parcel_no or map_sheet/parcel_no"),
]


class StageChange(BaseModel):
    """One stage date for a list of parcels."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"stage": "plan_approved", "date": "2026-11-30", "project": "PRJ-VA2", "parcels": ["7/12", "7/13"]}
            ]
        },
    )
    stage: DatedStage = Field(  # type: ignore[valid-type]
        description="The stage reached: " + ", ".join(f"{s} ({f})" for s, f in STAGE_FIELDS.items())
    )
    date: dt.date = Field(description="The day the parcels reached it, YYYY-MM-DD")
    project: str | None = Field(
        default=None, max_length=64, description="Project uid for references given as map_sheet/parcel_no"
    )
    parcels: list[ParcelRef] = Field(
        min_length=1,
        max_length=MAX_PARCELS,
        description=f"The parcels, at most {MAX_PARCELS:,}; duplicates are harmless",
    )
    dry_run: bool = Field(default=False, description="Answer what would change and write nothing")

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        """Only YYYY-MM-DD text: a number or 30/11/2026 would be read as some other day."""
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError("give the date as YYYY-MM-DD, e.g. 2026-11-30")
        return value


@router.post(
    "/api/clearance/stages",
    summary="Set a clearance stage date on many parcels, all or nothing (editors)",
    responses={
        200: {"description": "what changed (dry run: what would change), per parcel old → new"},
        422: {"description": "unknown parcels, or parcels the stage order refuses (named in details); nothing written"},
    },
)
def set_stages(request: Request, body: StageChange, user: EditorDep, engine: EngineDep) -> JSONResponse:
    """One transaction through the write path: stage order checked, province scopes honoured, every change audited."""
    with engine.begin() as conn:
        answer = set_stage(
            conn,
            stage=str(body.stage),
            on=body.date,
            refs=body.parcels,
            project=body.project,
            dry_run=body.dry_run,
            user=user,
            request_id=request_id(request),
        )
    if answer["written"]:
        wait_until_seen(request, engine, [get_layer("clearance_parcels").tracked_table])
    return JSONResponse(answer)
