"""The ``posecheck`` command line."""

from __future__ import annotations

from posecheck.cli.app import app, main

__all__ = ["app", "main"]
