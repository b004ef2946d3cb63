"""Train the statistical red-flag reader (facespasm/language/signals.py) and write its weights.

    .venv/bin/python scripts/train_signals.py     # writes language/data/signals.{json,weights}

A tool for developers, not part of the installed program: it needs scikit-learn (a dev
dependency); the program itself only reads the two files it writes.

The sentences are in training/red_flags/*.yaml ({text, label}), written for training and for
nothing else: no evaluation set (tests/blind/) was shown to their writers or is used here. One
logistic regression per red flag, one against the rest, on the features `signals.features`
gives, hashed into `signals.BUCKETS` rows by `signals.bucket` -- the reader computes the same.
Each flag's threshold is set on out-of-fold scores (5-fold cross-validation) so that at most
`--false-alarms` of the sentences labelled `none` -- most of them written to be hard: the same
body parts and words, denied or benign -- score above it: above it, the red flag is asked. At or
above `--count` (a probability, the same for every flag) it also counts for the care level. Both
were chosen on the blind development sets (tests/blind/*.dev*.yaml), for at most 5% of benign
descriptions sent to see a doctor soon (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from facespasm.knowledge import load_knowledge
from facespasm.language.lexicon import load_lexicon
from facespasm.language.signals import BUCKETS, MODEL_PATH, WEIGHTS_PATH, bucket, features
from facespasm.language.text import tokenise

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "training" / "red_flags"

# The label each training sentence carries, and the finding it reads as.
FINDINGS = {
    "stroke_signs": "sudden_weakness",
    "facial_weakness": "facial_weakness",
    "facial_pain": "facial_pain",
    "hearing_change": "hearing_change",
    "numbness": "other_neuro_symptoms",
    "vision_change": "vision_change",
    "balance_trouble": "other_neuro_symptoms",
    "limb_weakness": "other_neuro_symptoms",
    "head_injury": "head_injury",
    "multiple_sclerosis": "multiple_sclerosis",
    "drooping_eyelid": "drooping_eyelid",
    "red_eye": "red_eye",
    "medicine_reaction": "drug_reaction",
    "breathing_trouble": "breathing_trouble",
}


def load_sentences() -> list[tuple[str, str]]:
    """Every (text, label) of the training files."""
    items: list[tuple[str, str]] = []
    for path in sorted(DATA.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            label = item["label"]
            if label != "none" and label not in FINDINGS:
                raise SystemExit(f"{path.name}: unknown label {label!r}")
            items.append((str(item["text"]), label))
    return items


def main() -> None:
    """Train, choose the thresholds, and write the weights."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--false-alarms", type=float, default=0.005)
    parser.add_argument(
        "--count", type=float, default=0.999, help="score at which a red flag counts, not only asks"
    )
    parser.add_argument("--c", type=float, default=2.0, help="inverse regularisation strength")

    args = parser.parse_args()

    knowledge = load_knowledge()
    for finding in FINDINGS.values():
        assert finding in knowledge.findings, finding
    lexicon = load_lexicon()
    items = load_sentences()
    x = hashed([tokenise(text, lexicon.speller, lexicon.numbers).words for text, _ in items])
    labels = sorted(FINDINGS)
    weights = np.zeros((BUCKETS, len(labels)), dtype="<f4")
    bias, thresholds, report = [], {}, {}
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for k, label in enumerate(labels):
        y = np.array([item_label == label for _, item_label in items])
        model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000)
        scores = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
        none = np.array([item_label == "none" for _, item_label in items])
        thresholds[label], report[label] = threshold(scores, y, none, args.false_alarms)
        model.fit(x, y)
        weights[:, k] = model.coef_[0]
        bias.append(float(model.intercept_[0]))
    document = {
        "about": (
            "Weights of facespasm's statistical red-flag reader (language/signals.py), written "
            f"by scripts/train_signals.py on {dt.date.today().isoformat()} from "
            f"{len(items)} training sentences (training/red_flags/). Do not edit by hand."
        ),
        "labels": labels,
        "findings": {label: FINDINGS[label] for label in labels},
        "thresholds": thresholds,
        "count_threshold": args.count,
        "cross_validation": report,
        "bias": bias,
    }
    MODEL_PATH.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    WEIGHTS_PATH.write_bytes(weights.tobytes())
    print(f"{len(items)} sentences, {x.shape[1]} hashed features -> {MODEL_PATH.parent}")
    for label in labels:
        print(f"  {label:20} threshold {thresholds[label]:.3f}  {report[label]}")


def hashed(sentences: list[tuple[str, ...]]) -> csr_matrix:
    """One row per sentence: 1 in each bucket one of its features falls in."""
    indptr, indices = [0], []
    for words in sentences:
        indices += sorted({bucket(feature) for feature in features(words)})
        indptr.append(len(indices))
    data = np.ones(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(sentences), BUCKETS))


def threshold(
    scores: np.ndarray, y: np.ndarray, none: np.ndarray, false_alarms: float
) -> tuple[float, dict[str, float]]:
    """The score above which at most `false_alarms` of the `none` sentences fall."""
    t = float(np.quantile(scores[none], 1.0 - false_alarms))
    flagged = scores > t
    return round(t, 4), {
        "positives": int(y.sum()),
        "recall": round(float(flagged[y].mean()), 3),
        "false_alarms": round(float(flagged[none].mean()), 4),
    }


if __name__ == "__main__":
    main()
