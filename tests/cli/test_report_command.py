"""`facespasm report`, run as a person runs it: files for the doctor and the clinic, or one line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from .conftest import ANSWERS, Run

HEMIFACIAL = str(ANSWERS / "hemifacial_spasm.json")


def one_line_error(done, fragment: str) -> None:
    """Exit 2 with a single line on stderr that says `fragment`, and nothing written out."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("facespasm: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in done.stderr


def test_a_pdf_a_fhir_bundle_and_a_page_from_one_case(facespasm: Run, tmp_path: Path) -> None:
    pdf, fhir, html = tmp_path / "doctor.pdf", tmp_path / "clinic.json", tmp_path / "case.html"
    done = facespasm(
        "report", "--answers", HEMIFACIAL, "--name", "Ann Smith",
        "--pdf", str(pdf), "--fhir", str(fhir), "--html", str(html),
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
    bundle = json.loads(fhir.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert "Ann Smith" in html.read_text(encoding="utf-8")
    assert done.stderr.splitlines() == [
        f"facespasm: wrote the PDF for your doctor to {pdf}",
        f"facespasm: wrote the FHIR R4B Bundle to {fhir}",
        f"facespasm: wrote the report as a web page to {html}",
    ]
    # The terminal shows the same report, dated and named.
    assert "Facial twitching: a summary for the doctor" in done.stdout
    assert f"{dt.date.today():%B %Y}" in done.stdout.splitlines()[1]
    assert "· Ann Smith" in done.stdout
    assert "Key history" in done.stdout and "not a diagnosis" in done.stdout


def test_a_description_on_standard_input_is_enough(facespasm: Run, tmp_path: Path) -> None:
    html = tmp_path / "case.html"
    done = facespasm(
        "report", "--text", "-", "--html", str(html),
        stdin="my left eyelid has flickered for three days since exams started",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "information, not a diagnosis" in html.read_text(encoding="utf-8")
    assert "· " not in done.stdout.splitlines()[1]  # no name unless one was typed


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        # nowhere to write the report
        (["--answers", HEMIFACIAL], "say where to write the report: --pdf FILE.pdf"),
        # an answers file that is not there
        (["--answers", "/nonexistent/answers.json", "--html", "{tmp}/a.html"], "answers.json"),
        # a video that is not there
        (["--answers", HEMIFACIAL, "--video", "/nonexistent/clip.mp4", "--pdf", "{tmp}/a.pdf"],
         "--video: there is no file /nonexistent/clip.mp4"),
        # a folder that does not exist, refused before any work
        (["--answers", HEMIFACIAL, "--pdf", "{tmp}/no/such/folder/a.pdf"], "there is no folder"),
        # a database without the diary it is for
        (["--answers", HEMIFACIAL, "--db", "sqlite:///{tmp}/d.db", "--html", "{tmp}/a.html"],
         "--db names the diary's database"),
        # nothing to assess
        (["--html", "{tmp}/a.html"], "nothing to assess"),
        # a name that is a paragraph
        (["--answers", HEMIFACIAL, "--name", "x" * 300, "--html", "{tmp}/a.html"],
         "a name is at most 100 characters"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line_and_exit_2(
    facespasm: Run, tmp_path: Path, arguments: list[str], fragment: str
) -> None:
    done = facespasm("report", *(a.replace("{tmp}", str(tmp_path)) for a in arguments))
    one_line_error(done, fragment)
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_video_is_one_clear_line(facespasm: Run, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_text("this is not a video")
    done = facespasm(
        "report", "--answers", HEMIFACIAL, "--video", str(clip), "--pdf", str(tmp_path / "a.pdf"),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "clip.mp4" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "a.pdf").exists()


def test_the_diary_joins_the_report(facespasm: Run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    assert facespasm("db", "upgrade", "--db", db).returncode == 0
    today = dt.date.today()
    days = tmp_path / "days.csv"
    rows = [
        "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine"
    ]
    rows += [f"{today - dt.timedelta(days=n)},{4 + n % 3},7,1,0,3,4,0" for n in range(60)]
    days.write_text("\n".join(rows) + "\n")
    assert facespasm("diary", "import", str(days), "--db", db).returncode == 0
    injected = today - dt.timedelta(days=30)
    added = facespasm(
        "diary", "treatment", "add", "--kind", "botulinum_toxin", "--date", str(injected),
        "--side", "left", "--units-left", "20", "--dose", "20", "--name", "Botox", "--db", db,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    html = tmp_path / "case.html"
    done = facespasm(
        "report", "--answers", HEMIFACIAL, "--diary", "--db", db, "--html", str(html), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "The diary" in done.stdout
    assert f"{injected}: Botox (left), left 20 U, total 20 U" in done.stdout
    assert "Botox" in html.read_text(encoding="utf-8")
