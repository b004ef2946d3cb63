"""Fixtures for the free-text reader's tests."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from facespasm.language.lexicon import LEXICON_PATH

# A Tuesday; relative dates in these tests ("since Monday") count back from it.
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def today() -> dt.date:
    """The fixed date relative times are counted from (a Tuesday)."""
    return TODAY


@pytest.fixture
def lexicon_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged lexicon.yaml, to break on purpose."""
    target = tmp_path / "lexicon.yaml"
    shutil.copy(LEXICON_PATH, target)
    return target
