"""The one exception hierarchy of posecheck.

Every error a user can cause derives from :class:`PosecheckError`. The CLI turns
each into one line on stderr (``message`` plus ``hint``) and a non-zero exit code,
never a traceback.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with control characters (newlines, tabs, ...) escaped, so a message stays one line.

    File names and fields come from the user; a key such as ``"\\n"`` must not split a message.
    """
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


class PosecheckError(Exception):
    """Base class of every error posecheck raises on purpose.

    Attributes:
        message: What was wrong, in one sentence.
        hint: What the user can do about it (may be empty).
        exit_code: The process exit code the CLI uses for this error.
    """

    exit_code: int = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and hint joined as a single line for stderr."""
        text = self.message.rstrip(".")
        if self.hint:
            text = f"{text}: {self.hint.rstrip('.')}"
        return text if text.endswith(("?", "!")) else f"{text}."


class SpecError(PosecheckError):
    """A pose spec (or routine) file is invalid.

    ``problems`` holds one entry per problem, each already naming the file and the
    field path, so all of them can be reported at once.
    """

    exit_code = 2

    def __init__(self, problems: list[str], hint: str = "") -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems), hint)

    def lines(self) -> list[str]:
        """One line per problem, for printing."""
        return list(self.problems)


class UnknownPoseError(PosecheckError):
    """A pose name that no loaded spec answers to."""

    exit_code = 2


class UnknownRoutineError(PosecheckError):
    """A routine name that no loaded routine answers to."""

    exit_code = 2


class InputError(PosecheckError):
    """An input file or folder is missing, unreadable, corrupt or of the wrong type."""

    exit_code = 2


class OutputError(PosecheckError):
    """The output location cannot be used (exists, is a file, is not writable, disk full)."""

    exit_code = 3


class EstimatorError(PosecheckError):
    """The landmark model cannot be loaded or run."""

    exit_code = 4


class ClusterError(PosecheckError):
    """The Ray cluster of ``--cluster`` cannot be used (Ray not installed, cluster unreachable)."""

    exit_code = 6


class _EndsARun(PosecheckError):
    """An error that ends a run after its results were saved.

    Attributes:
        result: what the run saved before it ended (the partial result), if anything.
    """

    def __init__(self, message: str, hint: str = "", result: object | None = None) -> None:
        super().__init__(message, hint)
        self.result = result


class CameraError(_EndsARun):
    """A camera cannot be opened or stopped delivering frames (``result``: what was saved before)."""

    exit_code = 5


class DisplayError(PosecheckError):
    """No display is available for a window."""

    exit_code = 5


class HistoryError(PosecheckError):
    """The history database cannot be used (damaged, not ours, newer, unwritable)."""

    exit_code = 3


class Interrupted(_EndsARun):
    """The run was stopped (Ctrl-C or SIGTERM) after writing what it had (``result``: the partial result)."""

    exit_code = 130


class ServeError(PosecheckError):
    """The local web server cannot start (the port is taken, the address cannot be used), or a
    page asked for something its session cannot do (e.g. a frame after the session ended)."""

    exit_code = 6
