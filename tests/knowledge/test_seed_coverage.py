"""A walk through the source article: everything it names is in the knowledge base, with its source.

Each table row quotes the article (the test first checks the quote is really there, so the table
cannot drift from the text) and names where the knowledge base must hold it. The article section
a quote comes from must be among the sources the knowledge cites for it.
"""

from __future__ import annotations

import re

import pytest

from facespasm.knowledge import KnowledgeBase
from facespasm.knowledge.base import findings_in

SECTIONS = {
    "Why Is My Face Having Muscle Spasms?": "article.introduction",
    "Temporary and Lifestyle Factors": "article.lifestyle",
    "Isolated Facial Spasm Disorders": "article.isolated_disorders",
    "Spasms as Symptoms of Broader Conditions": "article.broader_conditions",
    "When to Seek Medical Help and Treatment Options": "article.seeking_help",
}


def section_of(article: str, quote: str) -> str:
    """The source id of the article section that contains the quote."""
    at = article.lower().find(quote.lower())
    assert at >= 0, f"the article does not say {quote!r}"
    current = None
    for heading, source_id in SECTIONS.items():
        if 0 <= article.find(heading) <= at:
            current = source_id
    assert current is not None
    return current


def test_every_section_of_the_article_is_a_source(source_article: str, knowledge: KnowledgeBase):
    headings = [line.strip() for line in source_article.splitlines() if _is_heading(line)]
    assert headings == list(SECTIONS)
    for heading, source_id in SECTIONS.items():
        source = knowledge.sources[source_id]
        assert (source.kind, source.title) == ("article_section", heading)


def _is_heading(line: str) -> bool:
    line = line.strip()
    return bool(line) and len(line) < 60 and not line.endswith(".")


CAUSES = [
    ("myokymia", "myokymia"),
    ("Hemifacial Spasm (HFS)", "hemifacial_spasm"),
    ("blood vessel compressing the facial nerve", "hemifacial_spasm"),
    ("Blepharospasm", "blepharospasm"),
    ("focal dystonia", "blepharospasm"),
    ("Synkinesis", "synkinesis"),
    ("Bell’s Palsy", "synkinesis"),
    ("Multiple Sclerosis (MS)", "ms_related"),
    ("a structural lesion, such as a tumor", "structural_lesion"),
    ("arteriovenous malformation", "structural_lesion"),
]


@pytest.mark.parametrize(("quote", "cause_id"), CAUSES)
def test_every_cause_the_article_names_is_a_cause_citing_its_section(
    source_article: str, knowledge: KnowledgeBase, quote: str, cause_id: str
):
    cause = knowledge.cause(cause_id)
    assert section_of(source_article, quote) in cause.sources


MECHANISMS = [
    # (article's words, the words the cause's mechanism uses for it, cause)
    ("involuntary firing of nerve signals", "fire on their own", "myokymia"),
    ("Cranial Nerve VII", "cranial nerve VII", "hemifacial_spasm"),
    ("demyelination", "demyelination", "hemifacial_spasm"),
    ("basal ganglia", "basal ganglia", "blepharospasm"),
    ("regrows along incorrect pathways", "regrows along incorrect", "synkinesis"),
    ("demyelinating plaques", "demyelinating plaques", "ms_related"),
    ("press directly on the facial nerve or the brainstem", "presses", "structural_lesion"),
]


@pytest.mark.parametrize(("quote", "words", "cause_id"), MECHANISMS)
def test_each_mechanism_is_told_as_the_article_tells_it(
    source_article: str, knowledge: KnowledgeBase, quote: str, words: str, cause_id: str
):
    section_of(source_article, quote)
    assert words.lower() in knowledge.cause(cause_id).mechanism.lower()


TRIGGERS = [
    # (article's words, lifestyle finding, advice that answers it)
    ("Emotional or physical stress", "stress", "stress"),
    ("lack of adequate sleep", "poor_sleep", "sleep"),
    ("caffeine", "caffeine", "stimulants"),
    ("nicotine", "nicotine", "stimulants"),
    ("Alcohol consumption", "alcohol", "alcohol"),
    ("staring at a computer screen", "screen_time", "screens"),
    ("low magnesium or calcium", "poor_diet", "hydration_nutrition"),
    ("proper hydration and nutrition", "poor_diet", "hydration_nutrition"),
]


@pytest.mark.parametrize(("quote", "finding_id", "advice_id"), TRIGGERS)
def test_every_trigger_is_a_finding_with_advice_citing_the_article(
    source_article: str, knowledge: KnowledgeBase, quote: str, finding_id: str, advice_id: str
):
    section = section_of(source_article, quote)
    finding = knowledge.findings[finding_id]
    assert finding.category == "lifestyle"
    assert section in finding.sources
    advice = next(a for a in knowledge.advice if a.id == advice_id)
    assert finding_id in advice.factors
    assert section in advice.sources


RED_FLAGS = [
    # (article's words, the finding a care rule tests for it)
    ("persists for more than a few weeks", "duration_days"),
    ("spreads to other parts of the face", "spread_to_lower_face"),
    ("accompanied by weakness", "facial_weakness"),
    ("pain", "facial_pain"),
    ("hearing changes", "hearing_change"),
    ("cause the eye to close completely", "eye_closes_completely"),
    ("following a head injury", "head_injury"),
    ("accompanied by other neurological symptoms", "other_neuro_symptoms"),
    ("presence can sometimes indicate a relapse", "multiple_sclerosis"),
]


@pytest.mark.parametrize(("quote", "finding_id"), RED_FLAGS)
def test_every_reason_to_see_a_doctor_is_a_care_rule_citing_the_article(
    source_article: str, knowledge: KnowledgeBase, quote: str, finding_id: str
):
    section = section_of(source_article, quote)
    rules = [r for r in knowledge.care_rules if finding_id in set(findings_in(r.when))]
    assert rules, f"no care rule tests {finding_id}"
    assert any(section in rule.sources for rule in rules)
    assert all(
        knowledge.level_rank(rule.level) >= knowledge.level_rank("see_doctor") for rule in rules
    )


TESTS = ["neurological examination", "MRI"]


@pytest.mark.parametrize("test_name", TESTS)
def test_the_examinations_it_names_are_in_the_next_steps(
    source_article: str, knowledge: KnowledgeBase, test_name: str
):
    section = section_of(source_article, test_name)
    holders = [
        level
        for level in knowledge.care_levels
        if any(test_name.lower() in step.lower() for step in level.next_steps)
    ]
    assert holders, f"no next step mentions {test_name}"
    assert all(section in level.sources for level in holders)


TREATMENTS = [
    # (article's words, treatment id, words its summary or figures must carry)
    ("reducing stress and improving sleep hygiene", "myokymia.lifestyle", "sleep"),
    ("Botulinum toxin", "hfs.botulinum_toxin", "three to four months"),
    ("Botulinum toxin", "blepharospasm.botulinum_toxin", "three to four months"),
    ("muscle relaxants and anti-seizure drugs", "hfs.oral_medication", "anti-seizure"),
    ("Oral medications", "blepharospasm.oral_medication", "oral"),
    ("Microvascular Decompression (MVD)", "hfs.microvascular_decompression", "Teflon pad"),
]


@pytest.mark.parametrize(("quote", "treatment_id", "words"), TREATMENTS)
def test_every_treatment_is_in_the_knowledge_with_the_articles_figures(
    source_article: str, knowledge: KnowledgeBase, quote: str, treatment_id: str, words: str
):
    section = section_of(source_article, quote)
    treatment = next(t for t in knowledge.treatments if t.id == treatment_id)
    text = " ".join([treatment.name, treatment.summary] + [f.text for f in treatment.figures])
    assert words.lower() in text.lower()
    assert section in treatment.sources


def test_every_cause_of_the_article_appears_in_the_walk(knowledge: KnowledgeBase) -> None:
    assert {cause for _, cause in CAUSES} == set(knowledge.cause_ids)


def test_the_article_names_no_trigger_the_walk_missed(source_article: str) -> None:
    lifestyle = source_article.split("Isolated Facial Spasm Disorders", maxsplit=1)[0]
    # Every trigger noun of the lifestyle section is quoted in the table above.
    for word in ("stress", "sleep", "caffeine", "nicotine", "alcohol", "screen", "magnesium",
                 "calcium", "hydration", "nutrition"):  # fmt: skip
        assert re.search(word, lifestyle, re.IGNORECASE)
        assert any(word.lower() in quote.lower() for quote, _, _ in TRIGGERS), word
