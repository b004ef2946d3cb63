"""facespasm: why is my face twitching, and what should I do?

The public API is what this module exports (a test pins it)::

    from facespasm import assess, Evidence

    result = assess({"side": "one", "regions": ["eyelid"], "duration_days": 5})
    result.triage.level          # "see_doctor": no red flag has been ruled out yet
    result.conditions[0].id      # "myokymia"

`assess` gives the same `Assessment` the command line prints and the JSON it writes;
`assess_case(answers, text=..., video=...)` assesses a whole case -- answers over the person's
own words over a video -- as the command line and the web app do; `read(text).evidence()` is
what a description in the person's own words says.
`analyze_video(path)` measures a face video and `trigger_analysis(days)` a diary;
`Diary(engine, person)` is one person's stored diary (`facespasm.diary.database` opens the
engine); `make_report(answers, text=..., video=..., diary=...)` is the whole case as one
`CaseReport`, which `facespasm.report` draws in the terminal, as a web page, a PDF and a FHIR
Bundle. They are loaded on first use (module `__getattr__`), so `import facespasm` stays as
quick as the assessment needs and pulls in neither numpy nor MediaPipe nor statsmodels.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from facespasm.case import assess_case
    from facespasm.diary.cycles import Cycle, toxin_cycles
    from facespasm.diary.records import Day, Treatment
    from facespasm.diary.store import Diary
    from facespasm.diary.triggers import TriggerReport, trigger_analysis
    from facespasm.language import Reading, read
    from facespasm.report.case_report import CaseReport
    from facespasm.sharing import make_report
    from facespasm.video.analysis import VideoAnalysis, analyze_video

__version__ = "0.1.0"

# Heavy parts of the public API, imported when first used: name -> module.
_LAZY = {
    "analyze_video": "facespasm.video.analysis",
    "VideoAnalysis": "facespasm.video.analysis",
    "trigger_analysis": "facespasm.diary.triggers",
    "TriggerReport": "facespasm.diary.triggers",
    "toxin_cycles": "facespasm.diary.cycles",
    "Cycle": "facespasm.diary.cycles",
    "Day": "facespasm.diary.records",
    "Diary": "facespasm.diary.store",
    "Treatment": "facespasm.diary.records",
    "read": "facespasm.language",
    "assess_case": "facespasm.case",
    "Reading": "facespasm.language",
    "make_report": "facespasm.sharing",
    "CaseReport": "facespasm.report.case_report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'facespasm' has no attribute {name!r}")


__all__ = [
    "DISCLAIMER",
    "Assessment",
    "CaseReport",
    "ConditionResult",
    "Cycle",
    "Day",
    "Diary",
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
    "Reading",
    "Reason",
    "Treatment",
    "Triage",
    "TriggerReport",
    "VideoAnalysis",
    "__version__",
    "analyze_video",
    "assess",
    "assess_case",
    "load_knowledge",
    "make_report",
    "read",
    "toxin_cycles",
    "trigger_analysis",
]
