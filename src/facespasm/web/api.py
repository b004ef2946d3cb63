"""The JSON API under /api/v1, mirroring the command line's contracts (DESIGN.md ⚑).

One router per idea -- `api_assess` (assessment, interview), `api_video` (analysis of an
upload), `api_diary`, `api_treatments` and `api_kept` (the diary) -- gathered here in `router`;
`public` holds the health endpoint. A clinic server (`Settings.clinic`) adds `clinic` -- the
token route (public) and the signed-in routes of `api_shares`, `api_patients`, `api_audit` --
and `create_app` requires an account on every router but `public` and the token route.
"""

from __future__ import annotations

from fastapi import APIRouter

from facespasm.web import (
    api_assess,
    api_audit,
    api_diary,
    api_kept,
    api_patients,
    api_ratings,
    api_report,
    api_shares,
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

# Clinic mode only, each needing an account (the token route is `api_auth.router`'s `/token`).
clinic = APIRouter()
clinic.include_router(api_shares.router)
clinic.include_router(api_patients.router)
clinic.include_router(api_audit.router)

public = APIRouter()


@public.get("/health", tags=["server"])
async def health() -> dict[str, str]:
    """A trivial endpoint, for load balancers and for the benchmark's baseline."""
    return {"status": "ok"}
