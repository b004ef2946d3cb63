"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine

from facespasm.knowledge import KnowledgeBase, load_knowledge

# Property tests check invariants, not speed: on a busy 2-core CI machine a first example that
# loads the knowledge base can exceed hypothesis's default 200 ms deadline, which would be noise.
settings.register_profile("facespasm", deadline=None)
settings.load_profile("facespasm")

REPO = Path(__file__).resolve().parents[1]
# The real PostgreSQL server of the storage tests (`scripts/postgres-for-tests`, run by `make test`).
POSTGRES_ENV = "FACESPASM_TEST_POSTGRES_URL"
SKIP_ENV = "FACESPASM_SKIP_POSTGRES"
SHARED = Path(os.environ.get("FACESPASM_SHARED", REPO.parent / "shared"))
GOLDENS = Path(__file__).parent / "goldens"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing with them.",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Before collection, so that nothing the tests import or start (the CLI in a subprocess
    # included) writes the validated-knowledge cache into the developer's home directory.
    config.facespasm_cache = tempfile.mkdtemp(prefix="facespasm-test-cache-")  # type: ignore[attr-defined]
    os.environ["FACESPASM_CACHE_DIR"] = config.facespasm_cache  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(getattr(config, "facespasm_cache", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, validated."""
    return load_knowledge()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The project's shared folder (source article, notes, media) beside the repository."""
    if not SHARED.is_dir():
        pytest.fail(f"shared folder not found at {SHARED}; set FACESPASM_SHARED to its path")
    return SHARED


@pytest.fixture(scope="session")
def source_article(shared: Path) -> str:
    """The text of the source article everything medical in facespasm starts from."""
    return (shared / "seed" / "000_a10c836a275d09f9.txt").read_text(encoding="utf-8")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with a golden file in tests/goldens (or rewrite it with --update-goldens)."""

    def check(name: str, text: str) -> None:
        path = GOLDENS / name
        if request.config.getoption("--update-goldens") or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not request.config.getoption("--update-goldens"):
                pytest.fail(f"golden {name} did not exist and was written; review and commit it")
        assert text == path.read_text(encoding="utf-8"), (
            f"output differs from tests/goldens/{name}; if the change is intended, "
            "rerun with --update-goldens and review the diff"
        )

    return check


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    """An engine on the test PostgreSQL server's database (for creating per-test schemas)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get(SKIP_ENV) == "1":
            pytest.skip(f"PostgreSQL skipped on purpose ({SKIP_ENV}=1)")
        pytest.fail(
            f"${POSTGRES_ENV} is not set: run `make test`, or "
            f"`{POSTGRES_ENV}=$(scripts/postgres-for-tests) .venv/bin/pytest`; "
            f"set {SKIP_ENV}=1 to skip the PostgreSQL cases on purpose",
            pytrace=False,
        )
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()
