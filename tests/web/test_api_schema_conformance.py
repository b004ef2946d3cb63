"""The API does what its OpenAPI document says: schemathesis with every check, on every operation.

For each operation schemathesis sends the document's examples, the boundary and negative cases
of its coverage phase and generated requests, and checks every answer: no 500, only documented
status codes and content types, answers that fit their schemas, every schema-valid request
accepted and every schema-violating one refused, `Allow` on 405s. The seed is fixed and the
examples bounded (`schemathesis.toml` beside this file, with the one check left out for the
uploads and why), so a run takes seconds and a failure is reproducible; `bench/schema_fuzz.py`
runs more examples on several seeds (bench/RESULTS.md).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig

from facespasm.diary.database import open_database
from facespasm.web.app import create_app
from facespasm.web.settings import Settings

CONFIG = Path(__file__).with_name("schemathesis.toml")
# The server answers only to its own names (DNS rebinding); schemathesis's client would call
# itself "testserver".
ORIGIN = "http://127.0.0.1"

# Made when the module is collected, since schemathesis makes one test per operation from it;
# the folder (an empty diary, the uploads) goes when the test session ends.
FOLDER = tempfile.TemporaryDirectory(prefix="facespasm-schema-")
DATABASE = f"sqlite:///{Path(FOLDER.name) / 'diary.sqlite3'}"
open_database(DATABASE, schema="upgrade").dispose()
APP = create_app(Settings(database_url=DATABASE, upload_dir=FOLDER.name))
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    APP,
    config=SchemathesisConfig.from_path(CONFIG),
    headers={"Host": "127.0.0.1"},
)


@schema.parametrize()
def test_every_operation_keeps_its_contract(case):
    case.call_and_validate(base_url=ORIGIN)
