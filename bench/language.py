"""The free-text reader for bench/RESULTS.md (issue 6): how well and how fast it reads.

Run by hand: `.venv/bin/python bench/language.py`. Prints precision and recall per finding and
overall on tests/language/corpus.yaml (115 descriptions written blind to the reader), the
red-flag safety recall, how many questions a description saves in the interview, and the time
to read a description of about 100 words in-process (target < 5 ms).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from facespasm.knowledge import load_knowledge
from facespasm.language import read
from facespasm.language.evaluation import CORPUS_TODAY, interview_with, load_corpus, score, table
from facespasm.reasoning import Evidence

CORPUS = Path(__file__).parents[1] / "tests" / "language" / "corpus.yaml"


def main() -> None:
    knowledge = load_knowledge()
    corpus = load_corpus(CORPUS, knowledge)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"command: {sys.executable} bench/language.py\n")

    result = score(corpus, knowledge)
    print(table(result, knowledge))
    overall = result.overall
    print(f"\ndescriptions: {result.descriptions}, read exactly right: {result.exact}")
    print(f"overall precision {overall.precision:.3f}, recall {overall.recall:.3f}")
    print(f"red flags stated or hedged: {result.red_flags_stated}, kept (yes or asked): "
          f"{result.red_flags_kept} -> safety recall {result.red_flag_recall:.3f}")  # fmt: skip

    without, with_text = [], []
    for labelled in corpus:
        answers = labelled.expect.answers()
        known = read(labelled.text, today=CORPUS_TODAY).evidence()
        without.append(len(interview_with(answers, Evidence())[0]))
        with_text.append(len(interview_with(answers, known)[0]))
    print(f"\ninterview questions, mean (median): without the description "
          f"{statistics.mean(without):.1f} ({statistics.median(without)}), with it "
          f"{statistics.mean(with_text):.1f} ({statistics.median(with_text)})")  # fmt: skip

    long_ones = [c.text for c in corpus if len(c.text.split()) >= 60]
    words = sum(len(text.split()) for text in long_ones)
    for text in long_ones:
        read(text, today=CORPUS_TODAY)  # warm
    samples = []
    for _ in range(20):
        begin = time.perf_counter()
        for text in long_ones:
            read(text, today=CORPUS_TODAY)
        samples.append(time.perf_counter() - begin)
    per_100 = statistics.median(samples) / words * 100
    worst_100 = max(samples) / words * 100
    print(f"\nread(): the {len(long_ones)} descriptions of 60 words or more "
          f"(mean {words / len(long_ones):.0f} words); median {per_100 * 1e3:.2f} ms per 100 "
          f"words, worst batch {worst_100 * 1e3:.2f} ms (target < 5 ms)")  # fmt: skip

    worst = sorted(result.per_finding.items(), key=lambda kv: kv[1].wrong + kv[1].missed)[-5:]
    print(
        "\nmost errors:", ", ".join(f"{f} ({t.wrong} wrong, {t.missed} missed)" for f, t in worst)
    )


if __name__ == "__main__":
    main()
