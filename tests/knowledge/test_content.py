"""The knowledge base holds the ⚑ contracts of DESIGN.md and the codes of knowledge-notes §6."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facespasm.knowledge import KnowledgeBase


def design_vocabulary(shared: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The ⚑ evidence vocabulary table of DESIGN.md: id -> (answer type, allowed values)."""
    text = (shared / "DESIGN.md").read_text(encoding="utf-8")
    table = text.split("## ⚑ Evidence vocabulary")[1].split("⚑ Causes")[0]
    vocabulary = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("id", "---") or not re.match(r"^[a-z_, ]+$", cells[0]):
            continue
        ids, value = cells[0], cells[1]
        quoted = tuple(re.findall(r'"([a-z_]+)"', value))
        if value.startswith("list of"):
            kind = "multiple_choice"
        elif quoted:
            kind = "choice"
        elif value == "number":
            kind = "number"
        else:
            assert value == "bool", value
            kind = "boolean"
        for finding_id in ids.split(","):
            vocabulary[finding_id.strip()] = (kind, quoted)
    return vocabulary


def test_the_findings_are_exactly_the_design_vocabulary(shared: Path, knowledge: KnowledgeBase):
    vocabulary = design_vocabulary(shared)
    assert len(vocabulary) >= 30
    # ⚑ "More findings may be added with a cited source; ids are never renamed."
    assert set(vocabulary) <= set(knowledge.findings)
    for finding_id, (kind, values) in vocabulary.items():
        finding = knowledge.findings[finding_id]
        assert finding.type == kind, finding_id
        assert finding.choice_values == values, finding_id


def test_known_diagnosis_names_a_cause(knowledge: KnowledgeBase) -> None:
    """⚑ `known_diagnosis` (a cause id): a diagnosis the person says a doctor gave them."""
    finding = knowledge.findings["known_diagnosis"]
    assert finding.type == "choice"
    assert set(finding.choice_values) <= set(knowledge.cause_ids)


def design_ids(shared: Path, paragraph_start: str) -> tuple[str, ...]:
    """The `ids` listed in the DESIGN.md paragraph that starts with these words."""
    design = (shared / "DESIGN.md").read_text(encoding="utf-8")
    paragraph = design.split(paragraph_start, 1)[1].split("\n\n", 1)[0].split(":", 1)[1]
    return tuple(re.findall(r"`([a-z_]+)`", paragraph.split(".")[0]))


def test_the_causes_are_the_contract_causes(shared: Path, knowledge: KnowledgeBase) -> None:
    assert knowledge.cause_ids == design_ids(shared, "⚑ Causes")


def test_the_care_levels_are_the_contract_levels(shared: Path, knowledge: KnowledgeBase) -> None:
    assert tuple(level.id for level in knowledge.care_levels) == design_ids(shared, "⚑ Care levels")


CODES = [
    # (cause, ICD-10-CM, HPO) from knowledge-notes §6; None where none exists
    ("myokymia", "G51.4", "HP:0031166"),
    # G51.3 is a header: side unspecified is G51.39 (G51.31 right, .32 left, .33 both)
    ("hemifacial_spasm", "G51.39", "HP:0010828"),
    ("blepharospasm", "G24.5", "HP:0000643"),
    ("synkinesis", "G51.8", "HP:0034979"),  # no ICD-10-CM code; HPO "Facial synkinesis"
    ("ms_related", None, "HP:0000317"),  # facial myokymia
    ("structural_lesion", None, None),  # depends on the lesion
]


@pytest.mark.parametrize(("cause_id", "icd10", "hpo"), CODES)
def test_codes_are_those_of_the_notes(knowledge: KnowledgeBase, cause_id, icd10, hpo) -> None:
    codes = knowledge.cause(cause_id).codes
    assert (codes.icd10, codes.hpo) == (icd10, hpo)


def test_every_cause_has_the_three_tiers_of_the_article(knowledge: KnowledgeBase) -> None:
    tiers = {cause.id: cause.tier for cause in knowledge.causes}
    assert tiers == {
        "myokymia": "lifestyle",
        "hemifacial_spasm": "isolated_disorder",
        "blepharospasm": "isolated_disorder",
        "synkinesis": "broader_disease",
        "ms_related": "broader_disease",
        "structural_lesion": "broader_disease",
    }


def test_myokymia_is_the_commonest_cause_and_every_prior_is_explained(knowledge: KnowledgeBase):
    priors = {cause.id: cause.prior.probability for cause in knowledge.causes}
    assert max(priors, key=lambda c: priors[c]) == "myokymia"
    for cause in knowledge.causes:
        assert len(cause.prior.reasoning) > 80, cause.id


def test_the_red_flags_are_asked_first_in_order_of_urgency(knowledge: KnowledgeBase) -> None:
    assert knowledge.red_flags[:2] == ("sudden_weakness", "breathing_trouble")  # emergencies
    assert set(knowledge.red_flags) == {
        # the floor of DESIGN.md
        "sudden_weakness",
        "facial_weakness",
        "facial_pain",
        "hearing_change",
        "other_neuro_symptoms",
        "head_injury",
        "multiple_sclerosis",
        # beyond it (issue 10): vision, a drooping lid, a reaction to a medicine
        "vision_change",
        "drooping_eyelid",
        "drug_reaction",
        "breathing_trouble",
    }


@pytest.mark.parametrize(
    "cause_id", ["hemifacial_spasm", "blepharospasm", "synkinesis", "myokymia"]
)
def test_botulinum_toxin_and_its_figures_are_offered_where_the_notes_give_them(
    knowledge: KnowledgeBase, cause_id: str
) -> None:
    toxin = [t for t in knowledge.treatments_for(cause_id) if "botulinum" in t.name.lower()]
    assert toxin
    assert all(figure.sources for t in toxin for figure in t.figures)


def test_mvd_states_success_and_risks_with_the_systematic_review(knowledge: KnowledgeBase):
    mvd = next(t for t in knowledge.treatments if t.id == "hfs.microvascular_decompression")
    figures = " ".join(f.text for f in mvd.figures)
    for figure in ("91%", "2.4%", "2.3%", "0.9%"):
        assert figure in figures
    assert all(f.sources == ("miller2012.mvd",) for f in mvd.figures)
