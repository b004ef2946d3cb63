"""The JSON API under /api/v1, mirroring the command line's contracts (DESIGN.md ⚑).

One router per idea -- `api_assess` (assessment, interview), `api_video` (analysis of an
upload), `api_diary`, `api_treatments` and `api_kept` (the diary) -- gathered here with the
health endpoint.
"""

from __future__ import annotations

from fastapi import APIRouter

from facespasm.web import (
    api_assess,
    api_diary,
    api_kept,
    api_ratings,
    api_report,
    api_treatments,
    api_video,
)

router = APIRouter()
router.include_router(api_assess.router)
router.include_router(api_video.router)
router.include_router(api_diary.router)
router.include_router(api_treatments.router)
router.include_router(api_kept.router)
router.include_router(api_ratings.router)
router.include_router(api_report.router)


@router.get("/health", tags=["server"])
async def health() -> dict[str, str]:
    """A trivial endpoint, for load balancers and for the benchmark's baseline."""
    return {"status": "ok"}
