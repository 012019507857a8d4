"""H.264 (yuv420p) MP4 encoding with PyAV (OpenCV's pip wheels cannot write H.264)."""
from __future__ import annotations

import av
import numpy as np


class Writer:
    def __init__(self, path, fps: int, width: int, height: int, crf: int = 23):
        self.c = av.open(str(path), mode="w")
        self.s = self.c.add_stream("libx264", rate=fps)
        self.s.width, self.s.height, self.s.pix_fmt = width, height, "yuv420p"
        # single-threaded x264 so the bytes are reproducible
        self.s.options = {"crf": str(crf), "preset": "medium", "threads": "1", "tune": "film"}
        self.c.metadata["comment"] = "posecheck synthetic sample (tools/samplegen)"

    def write(self, rgb: np.ndarray):
        f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:, :, :3]), format="rgb24")
        for pkt in self.s.encode(f):
            self.c.mux(pkt)

    def close(self):
        for pkt in self.s.encode():
            self.c.mux(pkt)
        self.c.close()
