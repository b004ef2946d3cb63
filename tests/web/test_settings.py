"""Server settings refuse bad values with one clear line, before anything starts."""

from __future__ import annotations

import pytest

from facespasm.errors import InputError
from facespasm.web.settings import Settings


@pytest.mark.parametrize(
    ("changes", "mentions"),
    [
        ({"port": 0}, "port must be between 1 and 65535"),  # no port 0
        ({"port": 70000}, "port must be between 1 and 65535"),  # beyond TCP's range
        ({"max_upload_mb": 0}, "max upload must be between 1"),  # nothing could be uploaded
        ({"host": " "}, "host must not be empty"),  # an empty address
        ({"max_json_kb": 0}, "max JSON body must be between 1"),  # no body would fit
        ({"allowed_hosts": ["http://clinic.example"]}, "is not a host name"),  # a URL, not a name
        ({"allowed_hosts": ["clinic.example:8000"]}, "is not a host name"),  # names have no port
        ({"port": "eighty"}, "port: Input should be a valid integer"),  # not a number at all
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),  # a setting that is none
    ],
)
def test_bad_settings_are_refused(changes, mentions):
    with pytest.raises(InputError, match=mentions):
        Settings(**changes)


def test_a_missing_upload_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        Settings(upload_dir=tmp_path / "nowhere")


def test_loopback_is_local_only():
    assert Settings().local_only
    assert not Settings(host="0.0.0.0").local_only


def test_serve_refuses_a_busy_port():
    import socket

    from facespasm.cli.serve import _check_port_free

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(InputError, match=r"cannot listen on 127\.0\.0\.1"):
            _check_port_free("127.0.0.1", busy.getsockname()[1])


def test_a_bad_variable_stops_the_server_with_one_line(monkeypatch):
    monkeypatch.setenv("FACESPASM_MAX_JSON_KB", "lots")
    with pytest.raises(InputError, match="max_json_kb: Input should be a valid integer"):
        Settings()


def test_settings_cannot_change_once_made():
    settings = Settings()
    with pytest.raises(Exception, match="frozen"):
        settings.port = 9000
