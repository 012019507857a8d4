"""Speaking cues aloud, offline, without ever holding up the caller.

A :class:`Speaker` takes sentences with :meth:`Speaker.say`, which only hands them to
a worker thread and returns: the live loop must keep drawing frames while a sentence
is being spoken. When cues come faster than speech, only the newest waiting sentence
is kept (an old correction said late is worse than none), and a sentence is not said
again within ``repeat_after_s``.

The speech itself comes from a backend: espeak-ng (or espeak) on Linux, pyttsx3
(the ``voice`` extra) elsewhere, WAV files for tests, or nothing. Voice is optional:
when no backend is available, :meth:`Speaker.create` returns a silent speaker and
warns once; it never raises for a missing voice.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

log = logging.getLogger(__name__)

#: Backend names :meth:`Speaker.create` accepts.
BACKENDS = ("auto", "espeak", "pyttsx3", "file", "none")

#: The one line a user sees when no voice is available, per requested backend.
UNAVAILABLE = {
    "auto": "voice unavailable: install espeak-ng (Linux) or `pip install posecheck[voice]`",
    "espeak": "voice unavailable: install espeak-ng",
    "file": "voice unavailable: install espeak-ng",
    "pyttsx3": "voice unavailable: `pip install posecheck[voice]`",
}

#: Longest a single sentence may take before its synthesiser is killed; cues are short,
#: so only a hung synthesiser gets near it.
SPEAK_TIMEOUT_S = 60.0


class VoiceUnavailableWarning(UserWarning):
    """No speech backend could be found; cues are shown but not spoken."""


class Backend(Protocol):
    """Something that can say a sentence. Used from the speaker's worker thread only,
    except :meth:`stop`."""

    name: str

    def speak(self, text: str) -> None:
        """Say ``text`` and return when done (blocking is fine: this runs on the worker)."""

    def stop(self) -> None:
        """Cut the sentence being spoken short and say nothing more (the speaker is
        closing); called from another thread, best effort."""


def find_espeak() -> str | None:
    """The path of espeak-ng, or of the older espeak, if either is installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def have_pyttsx3() -> bool:
    """Whether pyttsx3 (the ``voice`` extra) can be imported."""
    return importlib.util.find_spec("pyttsx3") is not None


def _on_linux() -> bool:
    return sys.platform.startswith("linux")


class SilentBackend:
    """Says nothing: ``backend="none"``, and the fallback when no voice is available."""

    name = "none"

    def speak(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass


class EspeakBackend:
    """Speaks through the espeak-ng (or espeak) program, one process per sentence.

    Args:
        program: the espeak-ng or espeak executable.
        voice: the espeak voice (``-v``).
        rate: words per minute (``-s``).
    """

    def __init__(self, program: str, voice: str = "en", rate: int = 165) -> None:
        self.program = program
        self.voice = voice
        self.rate = rate
        self.name = Path(program).name
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._complained = False

    def command(self, text: str) -> list[str]:
        """The command line that says ``text``."""
        # "--" ends the options, so a sentence starting with "-" is spoken, not parsed.
        return [self.program, "-v", self.voice, "-s", str(self.rate), "--", text]

    def speak(self, text: str) -> None:
        self._run(self.command(text))

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()

    def _run(self, cmd: list[str]) -> bool:
        """Run one synthesiser process; whether it reported success."""
        with self._lock:
            if self._stopping:
                return False
            # Popen rather than run(), so that stop() can cut a long sentence short.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            self._proc = proc
        try:
            _, err = proc.communicate(timeout=SPEAK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            err = err + b"\ntimed out"
        finally:
            with self._lock:
                self._proc = None
                stopping = self._stopping
        if stopping:
            return False
        # espeak-ng exits 0 even when it cannot open the sound device; it only says
        # "error: ..." on stderr (after ALSA's own complaints), so look there too.
        lines = [ln.strip() for ln in err.decode(errors="replace").splitlines() if ln.strip()]
        if proc.returncode == 0 and not any(ln.lower().startswith("error") for ln in lines):
            return True
        if not self._complained:
            self._complained = True
            why = lines[-1] if lines else f"exit code {proc.returncode}"
            log.warning("voice: %s could not speak (%s); cues are shown but not spoken", self.name, why)
        return False


class FileBackend(EspeakBackend):
    """Writes each sentence to a WAV file with ``espeak-ng -w`` instead of playing it.

    For tests and for checking what a session would have said. Files are named
    ``cue-0001.wav``, ``cue-0002.wav``, ... in ``out_dir``, in speaking order, and
    ``spoken.txt`` there lists each file with its sentence (``cue-0001.wav<TAB>text``),
    so what was said can be read without listening.

    Attributes:
        out_dir: where the WAV files go (created if missing).
        files: the WAV files written so far, with ``texts`` the sentence of each.
        log: the ``spoken.txt`` file.
    """

    def __init__(self, out_dir: str | Path, program: str, voice: str = "en", rate: int = 165) -> None:
        super().__init__(program, voice, rate)
        self.name = "file"
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.files: list[Path] = []
        self.texts: list[str] = []
        self.log = self.out_dir / "spoken.txt"

    def speak(self, text: str) -> None:
        path = self.out_dir / f"cue-{len(self.files) + 1:04d}.wav"
        # Written under a temporary name so a reader never sees half a file.
        part = path.with_name(path.name + ".part")
        cmd = self.command(text)
        ok = self._run([*cmd[:-2], "-w", str(part), *cmd[-2:]])
        if ok and part.exists():
            part.replace(path)
            self.files.append(path)
            self.texts.append(text)
            with self.log.open("a", encoding="utf-8") as log:
                log.write(f"{path.name}\t{text}\n")
        else:
            part.unlink(missing_ok=True)


class Pyttsx3Backend:
    """Speaks through pyttsx3 (SAPI5 on Windows, NSSpeechSynthesizer on macOS).

    The engine is created on first use, on the worker thread, because pyttsx3
    engines must be driven from the thread that created them.

    Args:
        rate: words per minute.
    """

    name = "pyttsx3"

    def __init__(self, rate: int = 165) -> None:
        self.rate = rate
        self._engine = None

    def speak(self, text: str) -> None:
        if self._engine is None:
            import pyttsx3

            engine = pyttsx3.init()
            engine.setProperty("rate", self.rate)
            self._engine = engine
        self._engine.say(text)
        self._engine.runAndWait()

    def stop(self) -> None:
        engine = self._engine
        if engine is not None:
            try:
                engine.stop()
            except Exception:  # best effort: the engine may not allow it from this thread
                log.debug("voice: pyttsx3 could not be stopped", exc_info=True)


def _make_backend(name: str, voice: str, rate: int, out_dir: str | Path | None) -> Backend | None:
    if name == "none":
        return SilentBackend()
    if name == "file":
        if out_dir is None:
            raise ValueError("The file voice backend needs out_dir, the folder for its WAV files")
        program = find_espeak()
        return FileBackend(out_dir, program, voice, rate) if program else None
    if name == "espeak":
        program = find_espeak()
        return EspeakBackend(program, voice, rate) if program else None
    if name == "pyttsx3":
        return Pyttsx3Backend(rate) if have_pyttsx3() else None
    # auto: espeak is what Linux has (pyttsx3 itself drives libespeak there); pyttsx3
    # uses the system voices elsewhere; each falls back to the other.
    order = ("espeak", "pyttsx3") if _on_linux() else ("pyttsx3", "espeak")
    for candidate in order:
        backend = _make_backend(candidate, voice, rate, out_dir)
        if backend is not None:
            return backend
    return None


class Speaker:
    """Says sentences on a background thread; :meth:`say` never waits for speech.

    Waiting sentences are a queue of one: a new sentence replaces one not yet begun
    (counted in ``dropped``); the sentence being spoken is finished. A sentence that
    is being spoken, is waiting, or began less than ``repeat_after_s`` ago is refused.

    Use as a context manager, or call :meth:`close`.

    Args:
        backend: what speaks; see :meth:`create` to pick one by name.
        repeat_after_s: shortest time before the same sentence is said again.
        clock: seconds from a monotonic clock; injectable for tests.

    Attributes:
        backend: the backend in use.
        dropped: sentences replaced by a newer one before they were begun.
    """

    def __init__(self, backend: Backend, *, repeat_after_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not repeat_after_s >= 0:
            raise ValueError(f"repeat_after_s must be >= 0, got {repeat_after_s!r}")
        self.backend = backend
        self.repeat_after_s = repeat_after_s
        self.dropped = 0
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._current: str | None = None
        self._said_at: dict[str, float] = {}
        self._closed = False
        self._failed = False
        self._thread: threading.Thread | None = None
        if not self.silent:
            self._thread = threading.Thread(target=self._work, name="posecheck-voice", daemon=True)
            self._thread.start()

    @classmethod
    def create(cls, backend: str = "auto", *, voice: str = "en", rate: int = 165,
               out_dir: str | Path | None = None, repeat_after_s: float = 5.0,
               clock: Callable[[], float] = time.monotonic) -> Speaker:
        """A speaker on the named backend, or a silent one (with one warning) if it is missing.

        Args:
            backend: ``auto`` (espeak-ng/espeak on Linux, else pyttsx3, each falling
                back to the other), ``espeak``, ``pyttsx3``, ``file`` (WAV files in
                ``out_dir``, made with espeak-ng) or ``none`` (silent, no warning).
            voice: the espeak voice name.
            rate: speaking rate in words per minute.
            out_dir: the folder for the ``file`` backend's WAV files.
            repeat_after_s: shortest time before the same sentence is said again.
            clock: seconds from a monotonic clock; injectable for tests.

        Raises:
            ValueError: an unknown backend name, or ``file`` without ``out_dir``.
        """
        if backend not in BACKENDS:
            raise ValueError(f"Invalid voice backend {backend!r}, expecting one of {list(BACKENDS)}")
        chosen = _make_backend(backend, voice, rate, out_dir)
        if chosen is None:
            warnings.warn(UNAVAILABLE[backend], VoiceUnavailableWarning, stacklevel=2)
            chosen = SilentBackend()
        return cls(chosen, repeat_after_s=repeat_after_s, clock=clock)

    @property
    def name(self) -> str:
        """The backend's name (``espeak-ng``, ``espeak``, ``pyttsx3``, ``file``, ``none``)."""
        return self.backend.name

    @property
    def silent(self) -> bool:
        """Whether this speaker says nothing at all."""
        return isinstance(self.backend, SilentBackend)

    @property
    def speaking(self) -> str | None:
        """The sentence being spoken right now, if any."""
        return self._current

    def say(self, text: str) -> bool:
        """Queue ``text`` to be spoken, and return at once.

        Returns:
            Whether the sentence was queued: False when it is empty, is being said or
            waiting already, was begun less than ``repeat_after_s`` ago, or the
            speaker is silent or closed.
        """
        text = " ".join(text.split())
        if not text or self.silent:
            return False
        with self._cond:
            if self._closed or text in (self._current, self._pending):
                return False
            last = self._said_at.get(text)
            if last is not None and self._clock() - last < self.repeat_after_s:
                return False
            if self._pending is not None:
                self.dropped += 1
            self._pending = text
            self._cond.notify_all()
        return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is waiting or being spoken (for tests and a last goodbye).

        Returns:
            Whether the speaker became idle within ``timeout`` seconds.
        """
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or (self._pending is None and self._current is None), timeout)

    def close(self, timeout: float = 2.0) -> None:
        """Stop: drop the waiting sentence, cut the current one short, end the worker.

        Safe to call twice. The worker is a daemon thread, so a backend that ignores
        the stop cannot keep the program alive past ``timeout``.
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._pending = None
            self._cond.notify_all()
        self.backend.stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._pending is not None)
                if self._closed:
                    return
                text, self._pending = self._pending, None
                assert text is not None
                self._current = text
                now = self._clock()
                self._said_at[text] = now
                if len(self._said_at) > 64:
                    self._said_at = {t: at for t, at in self._said_at.items()
                                     if now - at < self.repeat_after_s}
            try:
                self.backend.speak(text)
            except Exception as exc:  # a voice problem must never take the session down
                if not self._failed:
                    self._failed = True
                    log.warning("voice: %s failed (%s); cues are shown but not spoken", self.name, exc)
                else:
                    log.debug("voice: %s failed again", self.name, exc_info=True)
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()
