"""``posecheck serve``: practise in a browser page served by posecheck on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.routines_cmd import load_routines
from posecheck.cli.specs_cmd import load_library, specs_option


@app.command("serve")
@click.option("--host", default=None,
              help="Listen on this address instead of 127.0.0.1 (then a random access code is printed and every "
                   "request needs it).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=None,
              help="The port (default 8765; 0 picks a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in the default browser.")
@click.option("--record", is_flag=True,
              help="Keep each session's frames, with the overlay, as annotated.mp4 in its folder (otherwise no "
                   "frame is ever written to disk).")
@click.option("--sessions", type=click.Path(path_type=Path),
              help="Where to save sessions (default: $POSECHECK_HOME/sessions or your data folder).")
@click.option("--no-history", is_flag=True, help="Do not add the sessions to the progress history.")
@click.option("--routines", "routine_dirs", multiple=True, type=click.Path(path_type=Path),
              help="An extra folder of routine files (repeatable).")
@specs_option
def serve(host: str | None, port: int | None, no_browser: bool, record: bool, sessions: Path | None,
          no_history: bool, routine_dirs: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """Practise in the browser: camera, skeleton, one cue at a time, voice, routines and history.

    The page is served by posecheck itself on 127.0.0.1 (nothing is fetched from
    anywhere else); each session is saved like a `live` session. Ctrl-C stops the
    server and saves the session that is running.
    """
    from posecheck.app.practice import PracticeOptions
    from posecheck.app.server import DEFAULT_PORT, PracticeServer, ServeOptions, bind, new_token, page_url
    from posecheck.errors import OutputError
    from posecheck.io.paths import sessions_root

    lib = load_library(specs)
    routines = load_routines(routine_dirs, specs)
    root = sessions_root(sessions)
    try:  # a folder sessions cannot be saved in fails now, not when the first session ends
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = "--sessions" if sessions is not None else "POSECHECK_HOME"
        raise OutputError(f"cannot create the sessions folder {root} ({exc.strerror or exc})",
                          f"set {where} to a writable folder") from None
    # With --host the server may be reachable from elsewhere: every request then needs the code.
    token = new_token() if host is not None else None
    host = host if host is not None else "127.0.0.1"
    opts = ServeOptions(host=host, port=DEFAULT_PORT if port is None else port, token=token,
                        practice=PracticeOptions(sessions_dir=sessions, record=record, history=not no_history))
    sock = bind(opts.host, opts.port)
    bound_port = sock.getsockname()[1]
    url = page_url(opts.host, bound_port, token)

    def log(line: str) -> None:
        print(f"posecheck: {line}", file=sys.stderr, flush=True)

    print(f"posecheck serve: open {url}", flush=True)
    if token is not None:
        print("  the access code is in the address; only pages opened with it are answered", flush=True)
    print("  Ctrl-C stops the server (the session that is running is saved)", flush=True)
    if not no_browser:
        import webbrowser

        try:
            webbrowser.open(url)
        except webbrowser.Error:
            log("warning: no browser could be opened: open the address above yourself")
    server = PracticeServer(opts, lib, routines, log=log)
    server.run(sock)
    print(f"posecheck serve: stopped; {len(server.saved)} session(s) saved this time", flush=True)
