"""`/analyze`: measure an uploaded face video; the ⚑ analysis JSON of `facespasm analyze --json`.

The upload is received by `uploads.received_video` (streamed, size-limited, sniffed, always
deleted). The analysis itself -- seconds of decoding and landmark detection -- runs in a worker
thread, at most `ANALYSES_AT_ONCE` at a time, so the server keeps answering other requests
while a video is measured. Only the derived result is stored, and only when the person asks
(`save=true`); the video is kept only when the server allows it (`--keep-videos`) and the
person asks (`keep_video=true`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request

from facespasm.errors import VideoError
from facespasm.web.deps import SettingsDep, app_engine
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
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "save": {"type": "boolean", "description": "store the result"},
                            "keep_video": {
                                "type": "boolean",
                                "description": "keep the video (only with --keep-videos)",
                            },
                            "timezone": {"type": "string", "description": "IANA zone"},
                        },
                    }
                }
            },
        }
    },
    summary="Analyse a face video",
)
async def analyze(request: Request, settings: SettingsDep) -> FastJSONResponse:
    """Events, summary and evidence measured from an uploaded video (field `file`).

    Raises:
        HTTPException: 413 too large, 415 not a video, 422 no video in the form.
        VideoError: the video cannot be read or shows no face (422).
    """
    from facespasm.video.analysis import analyze_video
    from facespasm.video.readable import readable

    async with received_video(request, settings) as video:
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
        if video.flag("save"):
            result["saved_id"] = await anyio.to_thread.run_sync(
                _save, request.app, result, video.fields.get("timezone") or "UTC"
            )
        if video.flag("keep_video") and settings.keep_videos:
            kept = settings.kept_videos_folder() / _kept_name(video.kind)
            await anyio.to_thread.run_sync(shutil.move, video.path, kept)
            result["kept_video"] = str(kept)
    return FastJSONResponse(result)


def _as_sent(message: str, video: ReceivedVideo) -> str:
    """A message about the temporary file, naming the file the person sent instead."""
    sent = f"'{video.filename}'" if video.filename else "the upload"
    return message.replace(str(video.path), sent).replace(video.path.name, sent)


def _save(app: FastAPI, result: dict[str, Any], timezone: str) -> int:
    from facespasm.diary.store import save_result

    return save_result(app_engine(app), "video", result, timezone=timezone)


def _kept_name(kind: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = {"mp4": ".mp4", "webm": ".webm", "avi": ".avi"}[kind]
    return f"{stamp}-{uuid.uuid4().hex[:8]}{suffix}"
