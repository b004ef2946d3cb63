"""`facespasm assess --answers FILE --json` writes the ⚑ assessment JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest

from facespasm import assess

from .conftest import ANSWERS, Run

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "schema" / "assessment.schema.json").read_text()
)
FILES = sorted(ANSWERS.glob("*.json"))


@pytest.mark.parametrize("answers", FILES, ids=[f.stem for f in FILES])
def test_the_json_follows_the_published_schema(facespasm: Run, answers: Path) -> None:
    done = facespasm("assess", "--answers", str(answers), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    jsonschema.validate(result, SCHEMA)
    probabilities = [c["probability"] for c in result["conditions"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert math.isclose(sum(probabilities), 1.0, abs_tol=1e-9)
    cited = {s["id"] for s in result["sources"]}
    for condition in result["conditions"]:
        for factor in condition["supporting"] + condition["opposing"]:
            assert set(factor["sources"]) <= cited


def test_the_json_is_what_the_python_api_returns(facespasm: Run) -> None:
    answers = ANSWERS / "hemifacial_spasm.json"
    done = facespasm("assess", "--answers", str(answers), "--json")
    assert json.loads(done.stdout) == json.loads(
        json.dumps(assess(json.loads(answers.read_text())).to_dict())
    )


def test_the_json_of_a_known_case_is_stable(facespasm: Run, golden) -> None:
    done = facespasm("assess", "--answers", str(ANSWERS / "hemifacial_spasm.json"), "--json")
    golden("assess_hemifacial_spasm.json", done.stdout)


def test_evidence_says_where_each_answer_came_from(facespasm: Run) -> None:
    done = facespasm("assess", "--answers", str(ANSWERS / "exam_stress.json"), "--json")
    evidence = json.loads(done.stdout)["evidence"]
    assert evidence["age"] == {"value": 22.0, "origin": "answer"}
    assert "poor_sleep" not in evidence  # null: don't know
    result = json.loads(done.stdout)
    # ⚑ no red flag answered: "see a doctor", never self-care, with the open ones named
    assert result["triage"]["level"] == "see_doctor"
    assert result["triage"]["complete"] is False
    assert "facial_weakness" in result["triage"]["pending"]
    assert result["conditions"][0]["id"] == "myokymia"
    relevant = [a["id"] for a in result["advice"] if a["relevant"]]
    assert relevant == ["stimulants", "stress"]
