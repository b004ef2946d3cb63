"""Answers shared by the tests that need a case to assess (web, browser, roles)."""

from __future__ import annotations

# Every red flag answered "no": what lets a harmless case reach self-care.
SAFE = {
    "sudden_weakness": False, "facial_weakness": False, "facial_pain": False,
    "hearing_change": False, "other_neuro_symptoms": False, "vision_change": False,
    "drooping_eyelid": False, "drug_reaction": False, "head_injury": False,
    "multiple_sclerosis": False,
}  # fmt: skip
# A long-standing twitch of one eyelid at 55, red flags ruled out.
EYELID = {"age": 55, "side": "one", "regions": ["eyelid"], "duration_days": 300, **SAFE}
