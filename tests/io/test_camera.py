"""The capture side of the live loop: the newest frame is handed over, older ones are dropped.

With a camera faster than the model, frames must be dropped, never queued: a queue
would make the picture (and the cue) lag further behind the person every second.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from posecheck.io.camera import Captured, FileSource, LatestFrame

from ..conftest import sample


def _item(seq: int) -> Captured:
    return Captured(seq, seq / 30, time.perf_counter(), np.zeros((2, 2, 3), np.uint8))


def test_latest_frame_hands_over_only_the_newest_and_counts_the_rest():
    slot = LatestFrame()
    for seq in range(5):
        slot.put(_item(seq))
    got = slot.take(timeout=0)
    assert got is not None and got.seq == 4
    assert slot.dropped == 4
    # Taken once: the same frame is not handed over again.
    assert slot.take(timeout=0) is None
    slot.put(_item(5))
    assert slot.take(timeout=0).seq == 5 and slot.dropped == 4


def test_take_waits_for_a_frame_and_returns_none_at_the_end():
    slot = LatestFrame()
    threading.Timer(0.05, lambda: slot.put(_item(0))).start()
    assert slot.take(timeout=5).seq == 0
    slot.end()
    assert slot.take(timeout=5) is None and slot.ended and slot.error is None


def test_a_slow_consumer_of_a_realtime_source_sees_fresh_frames_not_a_backlog():
    # The 24 fps sample played like a camera, taken by a consumer that needs 125 ms per
    # frame (three frame intervals): about two of every three frames must be dropped,
    # and each frame taken must be at most about one interval old.
    clip = sample("lunge_side_90_left.mp4")
    taken, ages = [], []
    with FileSource(clip, realtime=True) as src:
        while True:
            item = src.slot.take(timeout=2)
            if item is None:
                break
            ages.append(time.perf_counter() - item.captured_at)
            taken.append(item.seq)
            time.sleep(0.125)
        captured, dropped = src.captured, src.slot.dropped
    assert captured == 72
    assert taken == sorted(taken) and len(set(taken)) == len(taken)
    # 3 s of video at 8 frames/s taken: about 24 frames, the rest dropped (generous
    # bounds: a busy machine may also delay the producer).
    assert 12 <= len(taken) <= 36, len(taken)
    assert dropped + len(taken) == captured
    # Waiting time in the slot, not in a queue: under 2 frame intervals (83 ms) at the
    # median, however long the clip.
    assert float(np.median(ages)) < 0.083, ages


def test_a_file_source_not_in_realtime_hands_over_every_frame():
    with FileSource(sample("lunge_side_90_left.mp4"), realtime=False) as src:
        seqs = []
        while (item := src.slot.take(timeout=5)) is not None:
            seqs.append(item.seq)
            time.sleep(0.002)
    assert seqs == list(range(72)) and src.slot.dropped == 0
