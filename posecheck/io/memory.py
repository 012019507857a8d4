"""How the process hands freed memory back: video frames are large buffers, made and freed
on several threads (decoding, the model, drawing, encoding).

glibc raises its threshold for serving an allocation with ``mmap`` each time a large block
is freed, so after the first few frames every frame buffer comes from the heaps of the
threads instead, and those heaps keep what they once held: measured here, drawing and
encoding a 2-minute 480×270 recording in one chunk grew a worker by 170 MB (199 → 370 MB)
with nothing kept, and by 50 MB (the codecs' own) with the threshold held at 64 KB. Holding
it there makes a frame buffer its own mapping, returned to the system when freed, at a cost of page faults: a whole
10-second score measured 9% slower with it (its system time doubled), so only the chunk
workers that draw the annotated video use it, where the growth was measured.

Other C libraries (macOS, Windows, musl) manage this differently: there it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: ``M_MMAP_THRESHOLD`` from glibc's ``malloc.h``.
_M_MMAP_THRESHOLD = -3
#: Allocations from this size up are mappings of their own (a 160×120 RGB frame is 57 KB).
MMAP_THRESHOLD = 64 * 1024

_done = False


def return_large_buffers() -> bool:
    """Make large allocations (frames) go back to the system when freed; True where it applies."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return _done


__all__ = ["MMAP_THRESHOLD", "return_large_buffers"]
