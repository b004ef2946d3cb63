"""facespasm's medical knowledge: reviewed YAML in `data/`, validated into typed entries.

A clinician edits the YAML, not the code. `load_knowledge()` validates every file against
`schema.py` and `checks.py` and fails with the file and entry named when something is wrong.
"""

from facespasm.knowledge.base import KnowledgeBase
from facespasm.knowledge.loader import DATA_DIR, load_knowledge
from facespasm.knowledge.schema import (
    Advice,
    Call,
    CareLevel,
    CareRule,
    Cause,
    Condition,
    Finding,
    Source,
    Treatment,
    VideoView,
)

__all__ = [
    "DATA_DIR",
    "Advice",
    "Call",
    "CareLevel",
    "CareRule",
    "Cause",
    "Condition",
    "Finding",
    "KnowledgeBase",
    "Source",
    "Treatment",
    "VideoView",
    "load_knowledge",
]
