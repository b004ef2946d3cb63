"""Score facespasm on the blind sets in tests/blind/: safety first, then the differential.

    .venv/bin/python bench/blind.py            # both halves; failures listed for the dev half
    .venv/bin/python bench/blind.py --json     # the figures only, for bench/RESULTS.md

The sets were written by someone who never saw the reader, the lexicon or the knowledge base
(tests/blind/README.md) and split by a hash of each id into a development half, which may be
studied and tuned on, and a locked half, which is only ever scored: its failures are never
printed, so that its figures stay an honest estimate of how facespasm does on words and cases
nobody here wrote.

Descriptions are assessed as `facespasm assess --text T --json` would (`assess_case(text=T)`);
vignettes as `--answers`. Measures:

- red-flag recall: of the (description, red flag) pairs the writer labelled, the share whose
  finding the reading holds as yes or hedged (any of the findings in `CAUGHT_BY`);
- under-triage: descriptions or vignettes assessed below the writer's `min_level`, and among
  them those told self-care (the false reassurance the ⚑ floor exists to prevent);
- benign over-triage: of those whose `min_level` is self-care or see a doctor, the share sent to
  see a doctor soon or an emergency;
- top-1 / top-3: the writer's cause ranked first / in the first three (where it is one of ours).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from facespasm.case import assess_case
from facespasm.knowledge import load_knowledge
from facespasm.reasoning import Assessment

HERE = Path(__file__).resolve().parent.parent / "tests" / "blind"
# The writers' relative dates ("since Monday") count from the day they wrote.
WRITTEN_ON = dt.date(2026, 11, 30)
# The halves, in the order they were written; only "locked" is never studied (README.md).
HALVES = ("dev", "dev2", "dev3", "dev4", "locked")
LEVELS = ("self_care", "see_doctor", "see_doctor_soon", "emergency")
URGENT = LEVELS.index("see_doctor_soon")

# Each red flag the writers could label, and the findings any of which counts as catching it.
CAUGHT_BY: dict[str, tuple[str, ...]] = {
    "stroke_signs": ("sudden_weakness",),
    "facial_weakness": ("facial_weakness", "sudden_weakness"),
    "facial_pain": ("facial_pain",),
    "hearing_change": ("hearing_change",),
    "numbness": ("other_neuro_symptoms", "sudden_weakness"),
    "vision_change": ("vision_change", "other_neuro_symptoms", "sudden_weakness"),
    "balance_trouble": ("other_neuro_symptoms", "sudden_weakness"),
    "limb_weakness": ("other_neuro_symptoms", "sudden_weakness"),
    "head_injury": ("head_injury",),
    "multiple_sclerosis": ("multiple_sclerosis",),
    "drooping_eyelid": ("drooping_eyelid", "facial_weakness"),
    "red_eye": ("red_eye",),
    "medicine_reaction": ("drug_reaction",),
    "breathing_trouble": ("breathing_trouble", "sudden_weakness"),
    "facial_palsy_history": ("prior_facial_palsy",),
}


def load(name: str, half: str) -> list[dict[str, Any]]:
    """One half ("dev" or "locked") of one set ("descriptions" or "vignettes")."""
    items: list[dict[str, Any]] = yaml.safe_load((HERE / f"{name}.{half}.yaml").read_text())
    return items


@dataclass
class Tally:
    """The measures of one half of one set, with what went wrong, item by item."""

    items: int = 0
    flags: int = 0
    flags_caught: int = 0
    under: list[str] = field(default_factory=list)
    falsely_reassured: list[str] = field(default_factory=list)
    benign: int = 0
    over: list[str] = field(default_factory=list)
    ranked: int = 0
    top1: int = 0
    top3: int = 0
    missed_flags: list[str] = field(default_factory=list)
    wrong_cause: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """The measures as numbers."""
        return {
            "items": self.items,
            "red_flag_recall": _share(self.flags_caught, self.flags),
            "red_flags": self.flags,
            "under_triaged": len(self.under),
            "self_care_wrongly": len(self.falsely_reassured),
            "benign_over_triage": _share(len(self.over), self.benign),
            "benign": self.benign,
            "top1": _share(self.top1, self.ranked),
            "top3": _share(self.top3, self.ranked),
            "ranked": self.ranked,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def score(items: Iterable[dict[str, Any]], kind: str) -> Tally:
    """Assess each item and tally the measures."""
    causes = set(load_knowledge().cause_ids)
    tally = Tally()
    for item in items:
        tally.items += 1
        if kind == "descriptions":
            result = assess_case(text=item["text"], today=WRITTEN_ON)
        else:
            result = assess_case(item["answers"])
        _tally(tally, item, result, causes)
    return tally


def _tally(tally: Tally, item: dict[str, Any], result: Assessment, causes: set[str]) -> None:
    level = LEVELS.index(result.triage.level)
    wanted = LEVELS.index(item["min_level"])
    said = f"{item['id']}: {result.triage.level} < {item['min_level']}"
    if level < wanted:
        tally.under.append(said)
        if level == 0:
            tally.falsely_reassured.append(said)
    if wanted < URGENT:
        tally.benign += 1
        if level >= URGENT:
            tally.over.append(f"{item['id']}: {result.triage.level} (wanted {item['min_level']})")
    present = {e.finding for e in result.evidence if e.value is True}
    for flag in item.get("red_flags") or ():
        tally.flags += 1
        if present & set(CAUGHT_BY[flag]):
            tally.flags_caught += 1
        else:
            tally.missed_flags.append(f"{item['id']}: {flag}")
    if item["cause"] in causes:
        tally.ranked += 1
        order = [c.id for c in result.conditions]
        tally.top1 += order[0] == item["cause"]
        tally.top3 += item["cause"] in order[:3]
        if order[0] != item["cause"]:
            top = ", ".join(f"{c.id} {c.probability:.2f}" for c in result.conditions[:3])
            tally.wrong_cause.append(f"{item['id']}: wanted {item['cause']}; got {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--half", choices=(*HALVES, "all"), default="all")
    args = parser.parse_args()
    halves = HALVES if args.half == "all" else (args.half,)
    figures: dict[str, dict[str, Any]] = {}
    for kind in ("descriptions", "vignettes"):
        for half in halves:
            if not (HERE / f"{kind}.{half}.yaml").exists():
                continue
            tally = score(load(kind, half), kind)
            figures[f"{kind}.{half}"] = tally.figures()
            if not args.json and half != "locked":
                for title, lines in (
                    ("under-triaged", tally.under),
                    ("red flags missed", tally.missed_flags),
                    ("benign over-triaged", tally.over),
                    ("cause not first", tally.wrong_cause),
                ):
                    if lines:
                        print(f"\n{kind} ({half}) {title}:")
                        print("\n".join(f"  {line}" for line in lines))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print()
    for name, values in figures.items():
        print(f"{name:24}", "  ".join(f"{k} {v}" for k, v in values.items()))


if __name__ == "__main__":
    main()
