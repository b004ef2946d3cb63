"""The clinic server's API keeps its OpenAPI contract too, signed in: schemathesis with a bearer token.

The laptop's run (`test_api_schema_conformance.py`) covers every operation without accounts; here
the clinic app (`Settings.clinic`) is fuzzed with every check, each request carrying the bearer
token of the account the operation is for -- patient Alice for her diary, shares, the audit log
and the computing routes; clinician Carol (whom Alice shares with) for `/patients` and a shared
patient's records -- so the generated cases reach the routes' own validation instead of stopping
at 401. `POST /auth/logout` gets a session of its own each time (it ends the session it came
with). Same seed and settings file as the laptop's run, fewer examples (`MAX_EXAMPLES`): the
operations are the laptop's, now behind an account.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig

from facespasm.clinic import add_account, start_session
from facespasm.diary.database import open_database
from facespasm.web.app import create_app
from facespasm.web.settings import Settings

CONFIG = Path(__file__).with_name("schemathesis.toml")
ORIGIN = "http://127.0.0.1"
SECRET = "c" * 40
PASSWORD = "correct horse battery"
MAX_EXAMPLES = 5
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LIFETIME = dt.timedelta(days=3650)  # never ends during the run, whatever the app's clock says

# Made when the module is collected (schemathesis makes one test per operation from the app);
# the folder goes when the test session ends.
FOLDER = tempfile.TemporaryDirectory(prefix="facespasm-clinic-schema-")
DATABASE = f"sqlite:///{Path(FOLDER.name) / 'clinic.sqlite3'}"
ENGINE = open_database(DATABASE, schema="upgrade")
ALICE = add_account(ENGINE, "alice@clinic.example", "patient", PASSWORD)
CAROL = add_account(ENGINE, "carol@clinic.example", "clinician", PASSWORD)
APP = create_app(
    Settings(database_url=DATABASE, upload_dir=FOLDER.name, clinic=True, secret_key=SECRET),
    clock=lambda: NOW,
)
# The coverage phase's boundary and negative cases run for the clinic's own operations; the
# laptop's run has already sent them to the rest, which behave the same behind an account.
CLINIC_ONLY = """
[phases.coverage]
enabled = false

[[operations]]
include-path-regex = "^/api/v1/(auth/|shares|audit|patients$)"
phases.coverage.enabled = true
"""
config = SchemathesisConfig.from_str(CONFIG.read_text() + CLINIC_ONLY)
config.projects.default.generation.update(max_examples=MAX_EXAMPLES)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=config, headers={"Host": "127.0.0.1"}
)


def _token(account) -> str:
    return start_session(ENGINE, account, SECRET.encode(), now=NOW, lifetime=LIFETIME)


TOKENS = {"patient": _token(ALICE), "clinician": _token(CAROL)}


def bearer_for(path: str) -> dict[str, str]:
    """The account an operation is for: Carol under /patients, Alice everywhere else."""
    if path == "/api/v1/auth/logout":
        return {"Authorization": f"Bearer {_token(ALICE)}"}
    role = "clinician" if path.startswith("/api/v1/patients") else "patient"
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def setup_module() -> None:
    """Alice shares her diary with Carol, so Carol's reads of patient 1 reach the diary."""
    from facespasm.clinic import share_with

    share_with(ENGINE, ALICE, CAROL.email, now=NOW)


@schema.parametrize()
def test_every_operation_keeps_its_contract_signed_in(case):
    case.call_and_validate(base_url=ORIGIN, headers=bearer_for(case.operation.path))
