"""The public API is exactly what `facespasm/__init__.py` exports; it changes only on purpose."""

from __future__ import annotations

import facespasm


def test_the_exported_names() -> None:
    assert sorted(facespasm.__all__) == sorted(
        [
            "DISCLAIMER",
            "Assessment",
            "ConditionResult",
            "Cycle",
            "Day",
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
            "load_knowledge",
            "read",
            "toxin_cycles",
            "trigger_analysis",
        ]
    )
    for name in facespasm.__all__:
        assert hasattr(facespasm, name)


def test_assess_and_evidence_give_the_result_the_cli_prints() -> None:
    from facespasm import Evidence, assess

    result = assess(
        Evidence.from_answers({"side": "one", "regions": ["eyelid"], "duration_days": 5})
    )
    assert result.triage.level == "self_care"
    assert result.conditions[0].id == "myokymia"
    assert "not a diagnosis" in result.disclaimer
    assert assess({"side": "one", "regions": ["eyelid"], "duration_days": 5}) == result


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
