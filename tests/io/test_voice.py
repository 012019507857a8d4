"""Speech: real espeak-ng WAVs, a caller that is never held up, stale sentences dropped,
no repeats, and a missing voice that costs one warning and nothing else."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
import warnings
import wave
from pathlib import Path

import numpy as np
import pytest

from posecheck.io import voice
from posecheck.io.voice import (
    EspeakBackend,
    FileBackend,
    Pyttsx3Backend,
    SilentBackend,
    Speaker,
    VoiceUnavailableWarning,
)

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")

CUE = "Step back so I can see your feet."


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A backend that records what it is asked to say; with ``hold`` it keeps
    "speaking" until released (or stopped), like a long sentence."""

    name = "recorder"

    def __init__(self, hold: bool = False) -> None:
        self.spoken: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.stopped = False
        if not hold:
            self.release.set()

    def speak(self, text: str) -> None:
        self.spoken.append(text)
        self.started.set()
        assert self.release.wait(10), "test never released the speech"

    def stop(self) -> None:
        self.stopped = True
        self.release.set()


def read_wav(path: Path) -> tuple[float, np.ndarray]:
    """Duration in seconds and samples scaled to [-1, 1]."""
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
        return w.getnframes() / w.getframerate(), samples


# -- real espeak-ng -------------------------------------------------------------------

@needs_espeak
@pytest.mark.speech
def test_file_backend_synthesises_a_real_sound(tmp_path):
    with Speaker.create("file", out_dir=tmp_path) as speaker:
        assert speaker.name == "file"
        assert speaker.say(CUE)
        assert speaker.wait_idle(10)
        backend = speaker.backend
    assert isinstance(backend, FileBackend)
    assert backend.files == [tmp_path / "cue-0001.wav"] and backend.texts == [CUE]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cue-0001.wav", "spoken.txt"]  # no .part left
    assert (tmp_path / "spoken.txt").read_text() == f"cue-0001.wav\t{CUE}\n"
    duration, samples = read_wav(backend.files[0])
    assert 0.5 < duration < 5.0
    rms = float(np.sqrt(np.mean(samples**2)))
    assert rms > 0.01, f"the WAV is (nearly) silent: RMS {rms:.4f}"
    assert np.mean(np.abs(samples) > 0.01) > 0.2  # speech throughout, not one click


@needs_espeak
@pytest.mark.speech
def test_sentence_starting_with_a_dash_is_spoken_not_parsed(tmp_path):
    with Speaker.create("file", out_dir=tmp_path) as speaker:
        assert speaker.say("-w five degrees more")
        assert speaker.wait_idle(10)
        duration, samples = read_wav(speaker.backend.files[0])
    assert duration > 0.5 and np.sqrt(np.mean(samples**2)) > 0.01


@needs_espeak
@pytest.mark.speech
def test_say_returns_at_once_while_espeak_is_busy(tmp_path):
    long_text = " ".join(["Keep your front knee over your ankle and lift your chest."] * 60)
    with Speaker.create("file", out_dir=tmp_path) as speaker:
        assert speaker.say(long_text)
        deadline = time.monotonic() + 5
        while speaker.speaking is None and time.monotonic() < deadline:
            time.sleep(0.001)
        assert speaker.speaking == long_text
        durations = []
        for i in range(20):
            t0 = time.perf_counter()
            speaker.say(f"Cue number {i}.")
            durations.append(time.perf_counter() - t0)
        overlapped = speaker.speaking == long_text
        assert speaker.wait_idle(30)
        texts = speaker.backend.texts
    assert max(durations) < 0.05, f"say() blocked for {max(durations) * 1000:.1f} ms"
    if overlapped:  # espeak was still writing: only the newest waiting cue survived
        assert texts == [long_text, "Cue number 19."]
        assert speaker.dropped == 19


# -- queueing rules, on a recording backend ----------------------------------------------

def test_say_never_blocks_while_a_sentence_is_being_spoken():
    rec = Recorder(hold=True)
    with Speaker(rec) as speaker:
        speaker.say("A very long sentence.")
        assert rec.started.wait(5)
        durations = []
        for i in range(50):
            t0 = time.perf_counter()
            assert speaker.say(f"Cue {i}.")
            durations.append(time.perf_counter() - t0)
        assert max(durations) < 0.05
        assert speaker.speaking == "A very long sentence."
        rec.release.set()
        assert speaker.wait_idle(5)
    assert rec.spoken == ["A very long sentence.", "Cue 49."]


def test_only_the_newest_waiting_sentence_is_kept():
    rec = Recorder(hold=True)
    with Speaker(rec) as speaker:
        assert speaker.say("one")
        assert rec.started.wait(5)
        assert speaker.say("two")
        assert speaker.say("three")
        assert not speaker.say("three")  # already waiting
        assert not speaker.say("one")  # being said right now
        assert speaker.dropped == 1
        rec.release.set()
        assert speaker.wait_idle(5)
    assert rec.spoken == ["one", "three"]


def test_same_sentence_is_not_said_again_within_the_window():
    clock = FakeClock()
    rec = Recorder()
    with Speaker(rec, clock=clock) as speaker:
        assert speaker.say("Lift your chest.")
        assert speaker.wait_idle(5)
        clock.now = 4.99
        assert not speaker.say("Lift your chest.")
        assert not speaker.say("  Lift  your chest. ")  # same words, other spacing
        assert speaker.say("Bend your front knee more.")  # another sentence is fine
        assert speaker.wait_idle(5)
        clock.now = 5.0
        assert speaker.say("Lift your chest.")
        assert speaker.wait_idle(5)
    assert rec.spoken == ["Lift your chest.", "Bend your front knee more.", "Lift your chest."]


def test_a_dropped_sentence_does_not_count_as_said():
    clock = FakeClock()
    rec = Recorder(hold=True)
    with Speaker(rec, clock=clock) as speaker:
        speaker.say("one")
        assert rec.started.wait(5)
        speaker.say("two")
        speaker.say("three")  # "two" dropped unsaid
        rec.release.set()
        assert speaker.wait_idle(5)
        assert speaker.say("two")
        assert speaker.wait_idle(5)
    assert rec.spoken == ["one", "three", "two"]


def test_empty_text_is_ignored():
    rec = Recorder()
    with Speaker(rec) as speaker:
        assert not speaker.say("")
        assert not speaker.say("   \n")
        assert speaker.wait_idle(5)
    assert rec.spoken == []


def test_close_cuts_speech_short_and_refuses_more():
    rec = Recorder(hold=True)
    speaker = Speaker(rec)
    speaker.say("A very long sentence.")
    assert rec.started.wait(5)
    speaker.say("waiting")
    t0 = time.perf_counter()
    speaker.close()
    assert time.perf_counter() - t0 < 1.0
    assert rec.stopped
    assert not speaker.say("after close")
    speaker.close()  # twice is fine
    assert rec.spoken == ["A very long sentence."]
    assert speaker._thread is not None and not speaker._thread.is_alive()


def test_a_failing_backend_logs_once_and_never_raises(caplog):
    class Broken(Recorder):
        def speak(self, text: str) -> None:
            raise OSError("no sound device")

    with caplog.at_level(logging.WARNING, logger="posecheck.io.voice"), Speaker(Broken()) as speaker:
        for text in ("one", "two", "three"):
            assert speaker.say(text)
            assert speaker.wait_idle(5)
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "no sound device" in warned[0].getMessage()


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake espeak")
def test_espeak_without_a_sound_device_is_reported_once(tmp_path, caplog):
    # espeak-ng exits 0 when it cannot open the sound device and only says so on stderr.
    fake = tmp_path / "espeak-ng"
    fake.write_text("#!/bin/sh\necho 'ALSA lib pcm.c: Unknown PCM default' >&2\n"
                    "echo 'error: No such file or directory' >&2\nexit 0\n")
    fake.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="posecheck.io.voice"), \
            Speaker(EspeakBackend(str(fake))) as speaker:
        for text in ("one", "two"):
            assert speaker.say(text)
            assert speaker.wait_idle(5)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [("voice: espeak-ng could not speak (error: No such file or directory);"
                      " cues are shown but not spoken")]


# -- choosing a backend -----------------------------------------------------------------

@pytest.fixture
def no_voice(monkeypatch):
    monkeypatch.setattr(voice, "find_espeak", lambda: None)
    monkeypatch.setattr(voice, "have_pyttsx3", lambda: False)


def test_missing_voice_gives_a_silent_speaker_and_exactly_one_warning(no_voice):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        speaker = Speaker.create()
        assert speaker.silent and speaker.name == "none"
        assert not speaker.say(CUE)  # no crash, nothing said, no further warnings
        assert speaker.wait_idle(1)
        speaker.close()
    assert len(caught) == 1
    assert caught[0].category is VoiceUnavailableWarning
    assert str(caught[0].message) == (
        "voice unavailable: install espeak-ng (Linux) or `pip install posecheck[voice]`")
    assert Path(caught[0].filename).name == Path(__file__).name  # points at the caller


@pytest.mark.parametrize("name", ["espeak", "file", "pyttsx3"])
def test_missing_named_backend_is_silent_too(no_voice, tmp_path, name):
    with pytest.warns(VoiceUnavailableWarning, match="voice unavailable") as caught:
        speaker = Speaker.create(name, out_dir=tmp_path)
    assert len(caught) == 1
    assert speaker.silent


def test_none_backend_is_silent_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Speaker.create("none") as speaker:
            assert speaker.silent and not speaker.say(CUE)


@pytest.mark.parametrize("linux,espeak,pyttsx3,expected", [
    (True, "/usr/bin/espeak-ng", True, EspeakBackend),
    (True, None, True, Pyttsx3Backend),
    (False, "/usr/local/bin/espeak-ng", True, Pyttsx3Backend),
    (False, "/usr/local/bin/espeak-ng", False, EspeakBackend),
])
def test_auto_picks_espeak_on_linux_and_pyttsx3_elsewhere(monkeypatch, linux, espeak, pyttsx3, expected):
    monkeypatch.setattr(voice, "_on_linux", lambda: linux)
    monkeypatch.setattr(voice, "find_espeak", lambda: espeak)
    monkeypatch.setattr(voice, "have_pyttsx3", lambda: pyttsx3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Speaker.create() as speaker:
            assert type(speaker.backend) is expected


def test_espeak_command_line():
    backend = EspeakBackend("/usr/bin/espeak-ng")
    assert backend.name == "espeak-ng"
    assert backend.command("Lift your chest.") == [
        "/usr/bin/espeak-ng", "-v", "en", "-s", "165", "--", "Lift your chest."]


def test_pyttsx3_that_cannot_start_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(voice, "have_pyttsx3", lambda: True)
    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # import fails inside the worker
    with caplog.at_level(logging.WARNING, logger="posecheck.io.voice"), Speaker.create("pyttsx3") as speaker:
        assert speaker.name == "pyttsx3"
        assert speaker.say(CUE)
        assert speaker.wait_idle(5)
    assert any("pyttsx3 failed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("kwargs,expected", [
    ({"backend": "festival"}, "Invalid voice backend 'festival', expecting one of"),
    ({"backend": "file"}, "needs out_dir"),
])
def test_bad_arguments_are_refused(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        Speaker.create(**kwargs)


def test_silent_backend_starts_no_thread():
    speaker = Speaker(SilentBackend())
    assert speaker._thread is None
    speaker.close()
