"""``posecheck serve``'s security rules against the real server, over loopback only.

Each rule has its own test: the default bind is loopback only and answers only to the
loopback names; a WebSocket from another origin is refused; with ``--host`` a random token
is printed and a wrong or missing one is refused. None of these loads the model: a refused
connection never gets that far, and an accepted one is checked with a pose that does not
exist (a clear message, no session).
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from ..browser import serve

ENV = {"POSECHECK_NATIVE_LOGS": ""}


def _get(url: str, host: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _ws_url(origin: str, token: str | None = None) -> str:
    return origin.replace("http://", "ws://") + "/ws" + (f"?token={token}" if token else "")


def _listening_addresses(port: int) -> set[str]:
    """The local addresses sockets listen on for ``port``, from the kernel's own tables."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, p = local.split(":")
            if state != "0A" or int(p, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(addr)
            if family == socket.AF_INET:
                found.add(socket.inet_ntop(family, raw[::-1]))
            else:
                found.add(socket.inet_ntop(family, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))))
    return found


def _unknown_pose_notice(ws) -> dict:  # noqa: ANN001
    """Ask an accepted socket for a pose that does not exist: the server answers with a notice."""
    ws.send(json.dumps({"type": "start", "pose": "no_such_pose",
                        "camera": {"width": 640, "height": 360, "fps": 30, "label": "test"}}))
    return json.loads(ws.recv(timeout=30))


def test_the_default_bind_is_loopback_only(tmp_path):
    with serve("--sessions", str(tmp_path / "s"), env=ENV) as s:
        port = int(s.origin.rsplit(":", 1)[1])
        assert s.url == f"http://127.0.0.1:{port}/"  # no token: only this machine can reach it
        assert _listening_addresses(port) == {"127.0.0.1"}
        status, html = _get(s.url)
        assert status == 200 and "<title>posecheck</title>" in html
        # The loopback names are answered; any other name (DNS rebinding) is not.
        assert _get(f"http://localhost:{port}/api/catalogue")[0] == 200
        status, text = _get(s.url, host="evil.example")
        assert status == 403 and "answers only to 127.0.0.1 and localhost" in text
    assert "refused a request for the host name 'evil.example'" in s.err
    assert "Traceback" not in s.err


def test_a_websocket_from_another_origin_is_refused(tmp_path):
    with serve("--sessions", str(tmp_path / "s"), env=ENV) as s:
        for origin in ("http://evil.example", "http://127.0.0.1:1", None):
            with pytest.raises(InvalidStatus) as refused:
                connect(_ws_url(s.origin), origin=origin, open_timeout=10)
            assert refused.value.response.status_code == 403
        # The page's own origin is let in (and told clearly when it asks for a pose that is not there).
        with connect(_ws_url(s.origin), origin=s.origin, open_timeout=10) as ws:
            notice = _unknown_pose_notice(ws)
        assert notice["type"] == "notice" and "Unknown pose 'no_such_pose'" in notice["message"]
    assert "refused a connection from another origin (http://evil.example)" in s.err
    assert "refused a connection from another origin (none)" in s.err
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())  # no session was started


def test_with_host_a_printed_token_is_required(tmp_path):
    # 127.0.0.2 is loopback too (tests never listen beyond this machine) but not the default.
    with serve("--host", "127.0.0.2", "--sessions", str(tmp_path / "s"), env=ENV) as s:
        assert s.url.startswith("http://127.0.0.2:") and "?token=" in s.url
        token = s.url.split("?token=", 1)[1]
        assert len(token) >= 20
        base = s.origin
        assert _listening_addresses(int(base.rsplit(":", 1)[1])) == {"127.0.0.2"}
        for path in ("/", "/api/catalogue", "/api/history"):
            for query in ("", "?token=wrong", f"?token={token[:-1]}"):
                status, text = _get(base + path + query)
                assert status == 403, (path, query)
                assert "wrong or missing access code" in text and "?token=" in text
            assert _get(f"{base}{path}?token={token}")[0] == 200
        # The page's code is the same for everyone: it loads before the page reads its token.
        assert _get(base + "/static/app.js")[0] == 200
        with pytest.raises(InvalidStatus) as refused:
            connect(_ws_url(base, "wrong"), origin=base, open_timeout=10)
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus):
            connect(_ws_url(base, token), origin="http://evil.example", open_timeout=10)
        with connect(_ws_url(base, token), origin=base, open_timeout=10) as ws:
            assert "Unknown pose" in _unknown_pose_notice(ws)["message"]
    assert "the access code is in the address" in s.out
    assert "refused a request with a wrong or missing access code" in s.err
    assert token not in s.err  # the code is printed once, on stdout, in the address


def test_what_keeps_the_server_from_starting_is_a_one_line_error(tmp_path):
    from ..cli_helpers import assert_clean_error, posecheck

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = posecheck("serve", "--no-browser", "--port", str(port), "--sessions", str(tmp_path / "s"), timeout=60)
    assert_clean_error(run, 6, f"port {port} on 127.0.0.1 is already in use", "--port")
    (tmp_path / "a file").write_text("")
    run = posecheck("serve", "--no-browser", "--port", "0", "--sessions", str(tmp_path / "a file" / "s"), timeout=60)
    assert_clean_error(run, 3, "cannot create the sessions folder", "set --sessions to a writable folder")
