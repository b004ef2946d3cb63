"""`/analyze`: measure an uploaded face video; the ⚑ analysis JSON of `facespasm analyze --json`.

The upload is received by `uploads.received_video` (streamed, size-limited, sniffed, always
deleted). The analysis itself -- seconds of decoding and landmark detection -- runs in a worker
thread, at most `ANALYSES_AT_ONCE` at a time, so the server keeps answering other requests
while a video is measured. Only the derived result is stored, and only when the person asks
(`save=true`): kept in their diary as a dated measurement (`saved_id` is its id; `GET
/api/v1/diary/measurements` lists them). The video is kept only when the server allows it
(`--keep-videos`) and the person asks (`keep_video=true`). The form's fields are exactly those
the schema publishes -- `save` and `keep_video` "true" or "false", `timezone` an IANA name --
and anything else is a 422 naming it, checked before the analysis starts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Request

from facespasm.errors import VideoError
from facespasm.web.deps import SettingsDep, diary_of
from facespasm.web.responses import FastJSONResponse
from facespasm.web.schemas import AnalysisOut, ErrorOut
from facespasm.web.uploads import ReceivedVideo, received_video

router = APIRouter(tags=["video"])

ANALYSES_AT_ONCE = 2


def _limiter(app: FastAPI) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(app.state, "analysis_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(ANALYSES_AT_ONCE)
        app.state.analysis_limiter = limiter
    return limiter


def _form_schema() -> dict[str, Any]:
    from facespasm.diary.bounds import time_zones

    return {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "save": {"type": "boolean", "description": "store the result"},
            "keep_video": {
                "type": "boolean",
                "description": "keep the video (only with --keep-videos)",
            },
            "timezone": {
                "type": "string",
                "enum": sorted(time_zones()),
                "description": "the person's IANA time zone, for the day a saved result is "
                "filed under (default UTC)",
            },
        },
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Options:
    """What the form asks besides the video."""

    save: bool = False
    keep_video: bool = False
    timezone: str = "UTC"


@router.post(
    "/analyze",
    response_model=None,
    responses={
        200: {"model": AnalysisOut},
        413: {"model": ErrorOut, "description": "The video is larger than the limit."},
        415: {"model": ErrorOut, "description": "Not a video (judged from its content)."},
        422: {"model": ErrorOut, "description": "No face found, or an unreadable video."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": _form_schema()}},
        }
    },
    summary="Analyse a face video",
)
async def analyze(request: Request, settings: SettingsDep) -> FastJSONResponse:
    """Events, summary and evidence measured from an uploaded video (field `file`).

    Raises:
        HTTPException: 413 too large, 415 not a video, 422 no video or a bad form field.
        VideoError: the video cannot be read or shows no face (422).
    """
    from facespasm.video.analysis import analyze_video
    from facespasm.video.readable import readable

    folder = request.app.state.upload_folder
    async with received_video(request, folder, settings.max_upload_bytes) as video:
        options = _options(video.fields)
        try:
            analysis = await anyio.to_thread.run_sync(
                analyze_video, video.path, limiter=_limiter(request.app)
            )
        except VideoError as error:
            raise VideoError(_as_sent(str(error), video)) from None
        result: dict[str, Any] = analysis.to_dict()
        # The temporary file's name means nothing to the person; show the name they sent.
        result["video"] = {**result["video"], "source": video.filename or "upload"}
        result["readable"] = readable(analysis)
        if options.save:
            result["saved_id"] = await anyio.to_thread.run_sync(
                _save, request, result, options.timezone
            )
        if options.keep_video and settings.keep_videos:
            kept = settings.kept_videos_folder() / _kept_name(video.kind)
            await anyio.to_thread.run_sync(shutil.move, video.path, kept)
            result["kept_video"] = str(kept)
    return FastJSONResponse(result)


def _options(fields: dict[str, str]) -> Options:
    """The form's fields, exactly as the schema publishes them: no others, true or false.

    Raises:
        HTTPException: an unknown field, or a yes/no field that is neither (422).
        InputError: an unknown time zone (422).
    """
    from facespasm.diary.bounds import zone

    unknown = sorted(set(fields) - {field.name for field in dataclasses.fields(Options)})
    if unknown:
        raise HTTPException(
            422, f"unknown form field '{unknown[0]}'; send file, save, keep_video or timezone"
        )
    flags = {}
    for name in ("save", "keep_video"):
        value = fields.get(name, "false")
        if value not in ("true", "false"):
            raise HTTPException(
                422, f"form field '{name}' must be true or false, not '{value[:20]}'"
            )
        flags[name] = value == "true"
    timezone = fields.get("timezone", "UTC")
    zone(timezone)
    return Options(save=flags["save"], keep_video=flags["keep_video"], timezone=timezone)


def _as_sent(message: str, video: ReceivedVideo) -> str:
    """A message about the temporary file, naming the file the person sent instead."""
    sent = f"'{video.filename}'" if video.filename else "the upload"
    return message.replace(str(video.path), sent).replace(video.path.name, sent)


def _save(request: Request, result: dict[str, Any], timezone: str) -> int | None:
    return diary_of(request).measurements.save(result, timezone=timezone).id


def _kept_name(kind: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = {"mp4": ".mp4", "webm": ".webm", "avi": ".avi"}[kind]
    return f"{stamp}-{uuid.uuid4().hex[:8]}{suffix}"
