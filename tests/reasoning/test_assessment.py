"""The assessment's JSON: one document, whether built as dicts or encoded straight to bytes."""

from __future__ import annotations

import json

import orjson
from hypothesis import given

from facespasm import assess
from facespasm.reasoning import Evidence, Origin
from facespasm.reasoning.evidence import EvidenceItem
from tests.reasoning.strategies import evidence


@given(evidence())
def test_to_json_encodes_exactly_what_to_dict_gives(known: Evidence) -> None:
    result = assess(known)
    assert orjson.loads(result.to_json()) == json.loads(json.dumps(result.to_dict()))


def test_evidence_read_from_text_keeps_its_words_and_where_they_are() -> None:
    item = EvidenceItem("caffeine", True, Origin.TEXT, detail='"too much coffee"', spans=((5, 20),))
    document = assess(Evidence({"caffeine": item})).to_dict()
    assert document["evidence"]["caffeine"] == {
        "value": True,
        "origin": "text",
        "detail": '"too much coffee"',
        "spans": [[5, 20]],
    }
