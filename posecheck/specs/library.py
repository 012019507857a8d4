"""The specs a run can use: the bundled ones plus any folders the user adds."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from posecheck.errors import UnknownPoseError
from posecheck.specs.loader import load_folders, load_spec
from posecheck.specs.models import PoseSpec, normalise_name


def bundled_specs_dir() -> Path:
    """Where the specs shipped with posecheck live.

    An installed wheel carries them inside the package (``posecheck/pose_specs``);
    a source checkout keeps them at the repository root.
    """
    inside = Path(str(resources.files("posecheck"))) / "pose_specs"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "pose_specs"


class SpecLibrary:
    """Specs by name, loaded from the bundled folder and ``extra`` folders.

    A user's spec with the same id as a bundled one replaces it, so a pose can be
    adjusted without editing the installed files.
    """

    def __init__(self, extra: list[Path] | None = None, include_bundled: bool = True) -> None:
        self.folders: list[Path] = ([bundled_specs_dir()] if include_bundled else []) + list(extra or [])
        found = load_folders(self.folders, load_spec, "spec",
                             hint="fix the spec files or check them with 'posecheck specs validate'")
        self._specs: dict[str, PoseSpec] = {k: v for k, (v, _) in found.items()}
        self._files: dict[str, Path] = {k: f for k, (_, f) in found.items()}

    def __iter__(self):
        return iter(sorted(self._specs.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._specs)

    def file_of(self, spec_id: str) -> Path:
        """The file the spec ``spec_id`` was read from."""
        return self._files[spec_id]

    def get(self, name: str) -> PoseSpec:
        """The spec called ``name`` (its id, title or an alias, any case or spacing)."""
        key = normalise_name(name)
        for spec in self._specs.values():
            if key in spec.names():
                return spec
        choices = {n: s.id for s in self._specs.values() for n in s.names()}
        close = difflib.get_close_matches(key, list(choices), n=3, cutoff=0.5)
        ids = sorted(dict.fromkeys(choices[c] for c in close))
        hint = (f"did you mean {' or '.join(ids)}?" if ids
                else "run 'posecheck specs list' to see the poses")
        raise UnknownPoseError(f"Unknown pose '{name}'", hint)
