"""The root command and the one place that turns errors into one-line messages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from posecheck.errors import PosecheckError, printable
from posecheck.version import __version__


@click.group(name="posecheck", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, package_name="posecheck", message="%(prog)s %(version)s")
def app() -> None:
    """Check yoga poses against their alignment, live from a camera or from recorded video."""


def fail(message: str, code: int = 2) -> None:
    """Print ``posecheck: error: message`` on stderr and exit with ``code``."""
    # Whatever the message holds (a file name, a field from a user's file), it stays one line.
    message = printable(message)
    print(f"posecheck: error: {message}", file=sys.stderr)
    raise SystemExit(code)


_OPTIONAL = ("score_cmd", "live_cmd", "routines_cmd", "report_cmd", "history_cmd", "serve_cmd", "sessions_cmd")


def _register() -> None:
    # Command modules import heavy libraries inside the command bodies, so
    # `posecheck --help` and `posecheck specs ...` stay fast and never load the model.
    from posecheck.cli import specs_cmd  # noqa: F401

    for name in _OPTIONAL:
        try:
            __import__(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"posecheck: warning: {message}", file=sys.stderr)


def _mute_native_logs() -> None:
    """Send what C/C++ libraries print on fd 2 to /dev/null; keep Python's stderr.

    TensorFlow Lite, absl and OpenCV write INFO/WARNING lines straight to file
    descriptor 2, some of them from worker threads or at exit, around our one-line
    messages. Python's ``sys.stderr`` moves to a copy of the real stderr first, so
    our messages, warnings and progress bars still reach the terminal.
    ``POSECHECK_NATIVE_LOGS=1`` keeps everything, for debugging the model.
    """
    import io
    import os

    if os.environ.get("POSECHECK_NATIVE_LOGS") or getattr(_mute_native_logs, "done", False):
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return
    sys.stderr = io.TextIOWrapper(os.fdopen(real, "wb", buffering=0), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True, write_through=True)
    os.dup2(devnull, 2)
    os.close(devnull)
    _mute_native_logs.done = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error a user can cause ends as one line on stderr."""
    import warnings

    _mute_native_logs()
    warnings.showwarning = _one_line_warning
    _register()
    try:
        app.main(args=argv, prog_name="posecheck", standalone_mode=False)
    except PosecheckError as exc:
        fail(exc.one_line(), exc.exit_code)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        fail("interrupted", 130)
    except click.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx else "posecheck"
        fail(f"{exc.format_message().rstrip('.')} (see '{cmd} --help')", 2)
    except click.ClickException as exc:
        fail(exc.format_message(), exc.exit_code or 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        return 1
    except OSError as exc:
        # A last net: a file-system error that no command turned into a
        # PosecheckError still ends as one line naming the path, not a traceback.
        from posecheck.io.atomic import write_error

        err = write_error(Path(exc.filename) if exc.filename else Path("a file"), exc,
                          "check the path exists, is of the right kind and can be written", "use")
        fail(err.one_line(), err.exit_code)
    return 0


def entry() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
