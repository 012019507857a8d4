"""Check kinds: how a spec's check turns landmarks into one number."""

from __future__ import annotations

from posecheck.checks import kinds as _builtin  # noqa: F401  (registers the built-in kinds)
from posecheck.checks.registry import CheckKind, MeasureContext, all_kinds, get_kind, kind_names, register

__all__ = ["CheckKind", "MeasureContext", "all_kinds", "get_kind", "kind_names", "register"]
