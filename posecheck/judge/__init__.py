"""Judging one frame: measuring checks, statuses and cues, and recognising the pose."""
