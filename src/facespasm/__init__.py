"""facespasm: why is my face twitching, and what should I do?

The public API is what this module exports (a test pins it)::

    from facespasm import assess, Evidence

    result = assess({"side": "one", "regions": ["eyelid"], "duration_days": 5})
    result.triage.level          # "self_care"
    result.conditions[0].id      # "myokymia"

`assess` gives the same `Assessment` the command line prints and the JSON it writes.
"""

from facespasm.errors import FacespasmError, InputError, KnowledgeError
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.reasoning import (
    DISCLAIMER,
    Assessment,
    ConditionResult,
    Evidence,
    EvidenceItem,
    Factor,
    Origin,
    Reason,
    Triage,
    assess,
)
from facespasm.reasoning.interview import Interview, Question

__version__ = "0.1.0"

__all__ = [
    "DISCLAIMER",
    "Assessment",
    "ConditionResult",
    "Evidence",
    "EvidenceItem",
    "FacespasmError",
    "Factor",
    "InputError",
    "Interview",
    "KnowledgeBase",
    "KnowledgeError",
    "Origin",
    "Question",
    "Reason",
    "Triage",
    "__version__",
    "assess",
    "load_knowledge",
]
