"""The public API is exactly what `facespasm/__init__.py` exports; it changes only on purpose."""

from __future__ import annotations

import facespasm


def test_the_exported_names() -> None:
    assert sorted(facespasm.__all__) == sorted(
        [
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
    )
    for name in facespasm.__all__:
        assert hasattr(facespasm, name)


def test_assess_and_evidence_give_the_result_the_cli_prints() -> None:
    from facespasm import Evidence, assess
    from facespasm.knowledge import load_knowledge

    answers = {"side": "one", "regions": ["eyelid"], "duration_days": 5}
    result = assess(Evidence.from_answers(answers))
    assert result.triage.level == "see_doctor"  # ⚑ the red flags are not yet ruled out
    assert result.conditions[0].id == "myokymia"
    assert "not a diagnosis" in result.disclaimer
    assert assess(answers) == result
    no_red_flags = dict.fromkeys(load_knowledge().red_flags, False)
    assert assess({**answers, **no_red_flags}).triage.level == "self_care"


def test_importing_facespasm_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, facespasm; "
        "print(sorted(m for m in ('numpy', 'mediapipe', 'av', 'statsmodels', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert callable(facespasm.analyze_video) and callable(facespasm.trigger_analysis)
