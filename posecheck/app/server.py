"""``posecheck serve``: the local web server behind the practice page.

One page (``posecheck/app/web/``, served from the package: no CDN, nothing fetched from
elsewhere) talks to the server over one WebSocket. It sends a camera frame (JPEG) only
when the answer to the one before has arrived (the newest frame wins, nothing queues),
and the server answers each with what the session decided (:mod:`posecheck.app.wire`),
judged by a :class:`~posecheck.app.practice.Practice`: the same model, session and files
as ``live``.

Security: bound to 127.0.0.1 unless told otherwise. There the server answers only to the
loopback names (a page elsewhere cannot reach it through DNS tricks); with another
address every request needs the random token printed on the console. In both, a
WebSocket from a page of another origin is refused. Frames stay in memory unless
recording is asked for.

One session at a time: a second tab (or browser) gets a message saying so, and can still
list the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import logging
import re
import secrets
import signal
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from posecheck.app.practice import RECORDING, Camera, Practice, PracticeOptions
from posecheck.app.wire import Ended, Notice, Said, drawing_rules, to_message
from posecheck.errors import EstimatorError, InputError, PosecheckError, ServeError, printable
from posecheck.io.paths import sessions_root

#: Where the page's files are, inside the package (so a wheel carries them).
WEB_DIR = Path(__file__).with_name("web")
DEFAULT_PORT = 8765
#: The largest message a page may send (a 1920x1080 JPEG is about 0.5 MB).
MAX_MESSAGE_BYTES = 4 * 2**20
#: Names that reach this machine only; the one set a loopback server answers to.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
#: Paths that need no token: the page's own code and fonts, the same for everyone.
_PUBLIC = ("/static/", "/fonts/", "/favicon.ico")
_SESSION_NAME = re.compile(r"^[\w.-]{1,200}$")
_FILES = (("report.html", "text/html; charset=utf-8"), (RECORDING, "video/mp4"))
_FONTS = {"DejaVuSans.ttf": False, "DejaVuSans-Bold.ttf": True}

#: What the page is allowed to do: its own scripts, styles, fonts and socket, nothing else.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
               "media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
#: A report is self-contained: inline styles and SVG, the video and stills as data.
REPORT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data: 'self'; "
                 "frame-ancestors 'none'")


@dataclass(frozen=True)
class ServeOptions:
    """How to serve.

    Attributes:
        host: the address to listen on (127.0.0.1: this machine only).
        port: the port (0: any free one).
        token: the access code every request must carry (None: none, for loopback only).
        practice: how sessions are saved.
        max_message_bytes: the largest message a page may send.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    practice: PracticeOptions = field(default_factory=PracticeOptions)
    max_message_bytes: int = MAX_MESSAGE_BYTES

    @property
    def loopback_only(self) -> bool:
        """Whether only this machine can reach the server (no token needed)."""
        return self.host in LOOPBACK_NAMES and self.token is None


def new_token() -> str:
    """A random access code for a server reachable from other machines."""
    return secrets.token_urlsafe(18)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a :class:`ServeError` that says what to do."""
    try:
        # An address is used as it is (no lookup at all); only a name is looked up.
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
        address: tuple = (host, port)
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except socket.gaierror as exc:
            raise ServeError(f"cannot listen on {host!r} ({exc.strerror})",
                             "give --host an address of this machine, e.g. 127.0.0.1") from None
        family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use (another posecheck serve?)",
                             "stop the other one, or choose another port with --port (0 picks a free one)") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise ServeError(f"not allowed to listen on port {port}", "choose a port above 1023 with --port") from None
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         "give --host an address of this machine, e.g. 127.0.0.1") from None
    sock.setblocking(False)
    return sock


def page_url(host: str, port: int, token: str | None) -> str:
    """The address to open: the server's, with the token when there is one."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/" + (f"?token={quote(token)}" if token else "")


# -- the guard ------------------------------------------------------------------------------


def _host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without the port (``[::1]:8765`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0].lower()
    return host_header.rsplit(":", 1)[0].lower() if host_header.count(":") == 1 else host_header.lower()


class Guard:
    """Refuses what the security rules refuse, before any route sees it.

    Every request: with a token, the token (query ``token=``), except for the page's
    static files; loopback only, a loopback ``Host`` (no DNS rebinding). Every WebSocket:
    an ``Origin`` equal to the server's own (``http://`` + its ``Host``).
    """

    def __init__(self, app, token: str | None, loopback_only: bool, log: Callable[[str], None]) -> None:  # noqa: ANN001
        self.app, self.token, self.loopback_only, self.log = app, token, loopback_only, log

    def _refusal(self, scope: dict) -> tuple[str, str] | None:
        """What is refused and what to do instead, or None when the request may go on."""
        from starlette.datastructures import Headers

        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.loopback_only and _host_name(host) not in LOOPBACK_NAMES:
            return (f"a request for the host name {printable(host)[:80]!r}",
                    "this server answers only to 127.0.0.1 and localhost: open http://127.0.0.1 with its port")
        path = scope.get("path", "")
        if self.token is not None and not path.startswith(_PUBLIC):
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                return ("a request with a wrong or missing access code",
                        "open the address posecheck serve printed on its console (it ends in ?token=...)")
        if scope["type"] == "websocket":
            origin = headers.get("origin")
            if origin != f"http://{host}":
                return (f"a connection from another origin ({printable(origin or 'none')[:80]})",
                        "only posecheck's own page may connect")
        return None

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        what, hint = refusal
        self.log(f"refused {what}")
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": what[:100]})
            return
        from starlette.responses import PlainTextResponse

        await PlainTextResponse(f"posecheck: refused {what}: {hint}.\n", status_code=403)(scope, receive, send)


# -- the server -----------------------------------------------------------------------------


class PracticeServer:
    """The page, its API and the one practice session at a time.

    Args:
        opts: see :class:`ServeOptions`.
        specs: the :class:`~posecheck.specs.SpecLibrary` of the poses offered.
        routines: the :class:`~posecheck.specs.routines.RoutineLibrary` of the routines offered.
        log: gets one line per event worth telling on the console (sessions saved, refusals).
        estimator_factory: makes a landmark estimator per session (default: the bundled model).
    """

    def __init__(self, opts: ServeOptions, specs, routines, log: Callable[[str], None] = lambda line: None,  # noqa: ANN001
                 estimator_factory: Callable[[], Any] | None = None) -> None:
        self.opts, self.specs, self.routines, self.log = opts, specs, routines, log
        self.estimator_factory = estimator_factory
        self._owner: object | None = None  # the connection whose session is running
        self._practice: Practice | None = None
        self._lock = threading.Lock()
        self.saved: list[Ended] = []

    # -- the ASGI application -----------------------------------------------------------------

    def app(self):  # noqa: ANN201 - a Starlette application wrapped in the guard
        """The ASGI application: routes behind the :class:`Guard`."""
        from starlette.applications import Starlette
        from starlette.routing import Mount, Route, WebSocketRoute
        from starlette.staticfiles import StaticFiles

        routes = [
            Route("/", self._index),
            Route("/favicon.ico", self._favicon),
            Route("/api/catalogue", self._catalogue),
            Route("/api/history", self._history),
            Route("/sessions/{name}/{file}", self._session_file),
            Route("/history/{id:int}/{file}", self._history_file),
            Route("/fonts/{name}", self._font),
            WebSocketRoute("/ws", self._socket),
            Mount("/static", StaticFiles(directory=WEB_DIR / "static")),
        ]

        @contextlib.asynccontextmanager
        async def lifespan(app):  # noqa: ANN001, ANN202
            yield
            await asyncio.to_thread(self.stop_session, "server stopped")

        app = Starlette(routes=routes, lifespan=lifespan)
        return Guard(_Headers(app), self.opts.token, self.opts.loopback_only, self.log)

    # -- pages and API ------------------------------------------------------------------------

    async def _index(self, request):  # noqa: ANN001, ANN202
        from starlette.responses import FileResponse

        return FileResponse(WEB_DIR / "index.html", headers={"Content-Security-Policy": PAGE_POLICY,
                                                            "Cache-Control": "no-store"})

    async def _favicon(self, request):  # noqa: ANN001, ANN202
        from starlette.responses import FileResponse

        return FileResponse(WEB_DIR / "static" / "favicon.svg", media_type="image/svg+xml")

    async def _font(self, request):  # noqa: ANN001, ANN202
        from starlette.responses import FileResponse, PlainTextResponse

        # The overlay's own fonts (DejaVu, shipped with matplotlib): the page looks the same.
        from posecheck.render.overlay.text import _font_path

        name = request.path_params["name"]
        path = _font_path(_FONTS[name]) if name in _FONTS else None
        if path is None:
            return PlainTextResponse("no such font\n", status_code=404)
        return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})

    async def _catalogue(self, request):  # noqa: ANN001, ANN202
        from starlette.responses import JSONResponse

        from posecheck.version import __version__

        poses = [{"id": s.id, "title": s.title, "sides": s.sides == "front_back"} for s in self.specs]
        routines = []
        for r in self.routines:
            try:
                holds = len(self.routines.plan(r))
            except PosecheckError:
                continue  # a routine naming a pose that is gone: not offered
            routines.append({"id": r.id, "title": r.title, "holds": holds})
        return JSONResponse({"poses": poses, "routines": routines, "drawing": drawing_rules(),
                             "max_message_bytes": self.opts.max_message_bytes, "version": __version__,
                             "recording": self.opts.practice.record})

    async def _history(self, request):  # noqa: ANN001, ANN202
        from starlette.responses import JSONResponse

        try:
            rows = await asyncio.to_thread(self._history_rows)
        except PosecheckError as exc:
            return JSONResponse({"sessions": [], "error": exc.one_line()})
        return JSONResponse({"sessions": rows})

    def _history_rows(self, limit: int = 200) -> list[dict]:
        from posecheck.io.history import history_path, open_history

        path = history_path()
        if not path.exists():
            return []
        with open_history(path) as h:
            sessions = h.sessions()
        rows = []
        for s in reversed(sessions[-limit:]):
            has_report = (Path(s.results_dir) / "report.html").is_file()
            rows.append({"id": s.id, "started_at": s.started_at.isoformat(timespec="minutes"), "pose": s.pose,
                         "pose_title": s.pose_title, "side": s.side, "mode": s.mode, "score": s.score,
                         "time_in_good_form_s": s.time_in_good_form_s, "time_in_pose_s": s.time_in_pose_s,
                         "complete": s.complete, "input": s.input,
                         "report": f"/history/{s.id}/report.html" if has_report else None})
        return rows

    def _history_results_dir(self, row_id: int) -> Path | None:
        from posecheck.io.history import history_path, open_history

        path = history_path()
        if not path.exists():
            return None
        with open_history(path) as h:
            found = [s for s in h.sessions() if s.id == row_id]
        return Path(found[0].results_dir) if found else None

    async def _history_file(self, request):  # noqa: ANN001, ANN202
        try:
            folder = await asyncio.to_thread(self._history_results_dir, request.path_params["id"])
        except PosecheckError as exc:
            from starlette.responses import PlainTextResponse

            return PlainTextResponse(f"posecheck: {exc.one_line()}\n", status_code=503)
        return _results_file(folder, request.path_params["file"])

    async def _session_file(self, request):  # noqa: ANN001, ANN202
        name = request.path_params["name"]
        folder = sessions_root(self.opts.practice.sessions_dir) / name if _SESSION_NAME.match(name) else None
        return _results_file(folder, request.path_params["file"])

    # -- the socket ---------------------------------------------------------------------------

    async def _socket(self, ws) -> None:  # noqa: ANN001
        from starlette.websockets import WebSocketDisconnect

        await ws.accept()
        conn = _Connection(ws)
        ended_by = "page closed"
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message.get("code", 1000))
                data, text = message.get("bytes"), message.get("text")
                if len(data if data is not None else text or "") > self.opts.max_message_bytes:
                    ended_by = "message too large"
                    limit = self.opts.max_message_bytes // 2**20
                    self.log(f"warning: a page sent a message over {limit} MB (the limit); its connection was closed")
                    await self._send(conn, Notice(f"a message over {limit} MB arrived (the limit)", "error", True))
                    await ws.close(1009)
                    break
                if data is not None:
                    await self._on_frame(conn, data)
                elif text is not None:
                    await self._on_text(conn, text)
        except WebSocketDisconnect as exc:
            if exc.code == 1009:  # over the protocol's own limit, which the page never reaches
                ended_by = "message too large"
                self.log(f"warning: a page sent a message over {4 * self.opts.max_message_bytes // 2**20} MB; "
                         "its connection was closed")
            elif exc.code == 1012:
                ended_by = "server stopped"
        except Exception as exc:  # noqa: BLE001 - a page must never see a traceback, nor the console
            self.log(f"error: {printable(type(exc).__name__)}: {printable(str(exc))[:300]}")
            ended_by = "server error"
        finally:
            conn.closed = True
            if conn.practice is not None:
                await self._end(conn, ended_by, complete=False, tell=False)

    async def _send(self, conn: _Connection, record) -> None:  # noqa: ANN001
        with contextlib.suppress(Exception):  # the page may be gone; its session is saved anyway
            await conn.ws.send_text(json.dumps(to_message(record), ensure_ascii=False, allow_nan=False))

    async def _on_text(self, conn: _Connection, text: str) -> None:
        try:
            msg = json.loads(text)
            kind = msg.get("type") if isinstance(msg, dict) else None
        except json.JSONDecodeError:
            kind, msg = None, {}
        if kind == "start":
            await self._start(conn, msg)
        elif kind == "key":
            if conn.practice is None:
                return
            key = str(msg.get("key", ""))[:1]
            try:
                said = await asyncio.to_thread(conn.practice.key, key)
            except ServeError:
                return
            await self._send(conn, Said(said))
        elif kind == "end":
            if conn.practice is None:
                await self._send(conn, Notice("no session is running", "info"))
                return
            reason = msg.get("reason")
            if reason == "camera lost":
                self.log("the page's camera stopped; its session was ended")
                await self._end(conn, "camera lost", complete=False)
            else:
                await self._end(conn, "ended on the page", complete=True)
        else:
            await self._send(conn, Notice(f"the page sent a message posecheck does not know "
                                          f"({printable(str(kind))[:40] if kind else 'not JSON'})", "error"))

    async def _start(self, conn: _Connection, msg: dict) -> None:
        if conn.practice is not None:
            await self._send(conn, Notice("a session is already running on this page: end it first", "error"))
            return
        busy = True
        for _ in range(150):
            with self._lock:
                owner = self._owner
                if owner is None:
                    busy, self._owner = False, conn
            # A page that lost its connection and came back finds its old session still being
            # saved: it waits for that (up to 15 s) rather than being told another page practises.
            if not busy or not getattr(owner, "closed", False):
                break
            await asyncio.sleep(0.1)
        if busy:
            await self._send(conn, Notice(
                "another page is practising with this posecheck (another tab or browser): end the session "
                "there or close that tab, then press Start here", "busy"))
            return
        try:
            practice = await asyncio.to_thread(self._new_practice, msg)
        except (PosecheckError, ValueError, TypeError) as exc:
            with self._lock:
                self._owner = None
            text = exc.one_line() if isinstance(exc, PosecheckError) else f"cannot start: {exc}"
            await self._send(conn, Notice(text, "error"))
            return
        with self._lock:
            self._practice = practice
        conn.practice = practice
        self.log(f"session started: {practice.ready().title} ({practice.session_dir})")
        await self._send(conn, practice.ready())

    def _new_practice(self, msg: dict) -> Practice:
        from posecheck.app.modes import mode_named

        cam = msg.get("camera") or {}
        camera = Camera(width=int(cam.get("width", 0)), height=int(cam.get("height", 0)),
                        fps=float(cam.get("fps") or 30.0), label=str(cam.get("label") or ""))
        routine = msg.get("routine") or None
        side = msg.get("side") or "auto"
        if side not in ("auto", "left", "right"):
            raise InputError(f"unknown side {printable(str(side))[:20]!r}", "use auto, left or right")
        mode = mode_named(self.specs, str(msg.get("pose") or "auto"), str(routine) if routine else None, side,
                          self.routines)
        estimator = self.estimator_factory() if self.estimator_factory is not None else None
        return Practice(mode, camera, self.opts.practice, estimator=estimator)

    async def _on_frame(self, conn: _Connection, data: bytes) -> None:
        practice = conn.practice
        if practice is None:
            await self._send(conn, Notice("a frame arrived but no session is running: press Start", "error",
                                          fatal=False))
            return
        try:
            t, seen, picture = _split_frame(data)
            answer = await asyncio.to_thread(practice.frame, picture, t, seen)
        except InputError as exc:
            self.log(f"warning: skipped a frame: {exc.one_line()}")
            await self._send(conn, replace(Notice(exc.one_line(), "error"), type="frame-error"))
            return
        except ServeError:
            return
        except EstimatorError as exc:
            self.log(f"error: {exc.one_line()}")
            await self._send(conn, Notice(exc.one_line(), "error"))
            await self._end(conn, "model failed", complete=False)
            return
        await self._send(conn, answer)
        if answer.finished:
            await self._end(conn, "routine finished", complete=True)

    async def _end(self, conn: _Connection, ended_by: str, complete: bool, tell: bool = True) -> None:
        practice = conn.practice
        conn.practice = None
        try:
            ended = await asyncio.to_thread(self._finish, practice, ended_by, complete)
        except Exception as exc:  # noqa: BLE001 - e.g. a full disk: one line, on the console and the page
            why = exc.one_line() if isinstance(exc, PosecheckError) else f"{type(exc).__name__}: {exc}"
            self.log(f"error: the session in {practice.session_dir} could not be saved: {printable(why)}")
            if tell:
                await self._send(conn, Notice(f"the session could not be saved: {printable(why)}", "error"))
            return
        if tell:
            await self._send(conn, ended)

    def _finish(self, practice: Practice, ended_by: str, complete: bool) -> Ended:
        """End one session, release the server's one slot, and say so on the console."""
        try:
            ended = practice.end(ended_by, complete, on_warning=lambda m: self.log(f"warning: {m}"))
        finally:
            with self._lock:
                if self._practice is practice:
                    self._practice, self._owner = None, None
        if ended.report is not None:
            ended = replace(ended, report=f"/sessions/{quote(ended.session)}/{ended.report}")
        score = "" if ended.score is None else f", score {ended.score:.0f}/100"
        self.log(f"session saved: {Path(ended.folder) / 'summary.json'} ({ended.frames} frames{score}; {ended_by})")
        self.saved.append(ended)
        return ended

    def stop_session(self, ended_by: str) -> None:
        """End the running session, if any (the server is stopping): it is saved like any other."""
        with self._lock:
            practice = self._practice
        if practice is not None and not practice.ended:
            try:
                self._finish(practice, ended_by, complete=False)
            except PosecheckError as exc:
                self.log(f"error: the session in {practice.session_dir} could not be saved: {exc.one_line()}")

    # -- running ------------------------------------------------------------------------------

    def run(self, sock: socket.socket) -> None:
        """Serve on ``sock`` until interrupted (Ctrl-C, SIGTERM); the running session is saved."""
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):  # noqa: ANN202
                # Ctrl-C and SIGTERM are how a server is stopped: once the sessions are saved
                # the command ends normally, without raising the signal again as uvicorn does.
                if threading.current_thread() is not threading.main_thread():
                    yield
                    return
                old = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
                try:
                    yield
                finally:
                    for sig, handler in old.items():
                        signal.signal(sig, handler)

        config = uvicorn.Config(
            self.app(), log_config=_uvicorn_logging(), access_log=False, lifespan="on",
            # The protocol's limit is above the server's own, so a message just over the limit
            # is read whole and the page is told why it is closed (cut mid-message, it may not be).
            ws="websockets-sansio", ws_max_size=4 * self.opts.max_message_bytes, ws_per_message_deflate=False,
            timeout_graceful_shutdown=30)
        Server(config).run(sockets=[sock])


class _Connection:
    """One page's socket and its session, if one runs."""

    def __init__(self, ws) -> None:  # noqa: ANN001
        self.ws = ws
        self.practice: Practice | None = None
        self.closed = False


def _split_frame(data: bytes) -> tuple[float, int | None, bytes]:
    """A frame message: a 4-byte little-endian header length, a JSON header (``t``, ``seen``), the picture."""
    if len(data) < 4:
        raise InputError(f"a frame message of {len(data)} bytes has no header", "reload the page")
    (n,) = struct.unpack_from("<I", data)
    if n > 1024 or 4 + n > len(data):
        raise InputError("a frame message has a broken header", "reload the page")
    try:
        head = json.loads(data[4:4 + n].decode("utf-8"))
        t = float(head["t"])
        seen = int(head["seen"]) if head.get("seen") is not None else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InputError("a frame message has a broken header", "reload the page") from None
    if not (t == t and abs(t) < 1e7):
        raise InputError("a frame message has no usable time", "reload the page")
    return t, seen, data[4 + n:]


def _results_file(folder: Path | None, name: str):  # noqa: ANN202
    """A report or a recording from a results folder, or a 404 page."""
    from starlette.responses import FileResponse, PlainTextResponse

    kinds = dict(_FILES)
    if folder is None or name not in kinds or not (folder / name).is_file():
        return PlainTextResponse("posecheck: no such report\n", status_code=404)
    headers = {"Content-Security-Policy": REPORT_POLICY} if name == "report.html" else {}
    return FileResponse(folder / name, media_type=kinds[name], headers=headers)


class _Headers:
    """Headers every answer carries: no sniffing, no referrer (a token is in the address)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _uvicorn_logging() -> dict:
    """uvicorn's own messages as one line each, warnings and errors only (never a traceback)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": "posecheck.app.server._OneLine", "fmt": "posecheck: server: %(message)s"}},
        "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["err"], "level": "WARNING", "propagate": False},
                    "uvicorn.error": {"level": "WARNING"},
                    "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False}},
    }


class _OneLine(logging.Formatter):
    """A log record as one line: an exception's last line, not its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = printable(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {printable(str(exc))[:200]})"
        return self._fmt % {"message": text} if self._fmt else text


__all__ = ["DEFAULT_PORT", "Guard", "MAX_MESSAGE_BYTES", "PracticeServer", "ServeOptions", "bind", "new_token",
           "page_url"]
