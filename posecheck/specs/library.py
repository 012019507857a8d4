"""The specs a run can use: the bundled ones plus any folders the user adds."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

from posecheck.errors import PosecheckError, UnknownPoseError
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


T = TypeVar("T")


class Library(Generic[T]):
    """Named things (specs, routines) read from folders, found by any of their names.

    Subclasses say what they hold (``what``), how to ask for the list (``list_hint``) and
    which error an unknown name raises (``unknown``).
    """

    what = "spec"
    list_hint = "run 'posecheck specs list' to see the poses"
    unknown: type[PosecheckError] = UnknownPoseError

    def _load(self, folders: list[Path], load_one: Callable[[Path], T], hint: str) -> None:
        found = load_folders(folders, load_one, self.what, hint=hint)
        self._items: dict[str, T] = {k: v for k, (v, _) in found.items()}
        self._files: dict[str, Path] = {k: f for k, (_, f) in found.items()}

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._items.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._items)

    def file_of(self, item_id: str) -> Path:
        """The file the item ``item_id`` was read from."""
        return self._files[item_id]

    def get(self, name: str) -> T:
        """The item called ``name`` (its id, title or an alias, any case or spacing)."""
        key = normalise_name(name)
        for item in self._items.values():
            if key in item.names():
                return item
        choices = {n: s.id for s in self._items.values() for n in s.names()}
        close = difflib.get_close_matches(key, list(choices), n=3, cutoff=0.5)
        ids = sorted(dict.fromkeys(choices[c] for c in close))
        hint = f"did you mean {' or '.join(ids)}?" if ids else self.list_hint
        raise self.unknown(f"Unknown {'pose' if self.what == 'spec' else self.what} '{name}'", hint)


class SpecLibrary(Library[PoseSpec]):
    """Specs by name, loaded from the bundled folder and ``extra`` folders.

    A user's spec with the same id as a bundled one replaces it, so a pose can be
    adjusted without editing the installed files.
    """

    def __init__(self, extra: list[Path] | None = None, include_bundled: bool = True) -> None:
        #: the user's folders, in the order given (a later one's spec replaces an earlier one's)
        self.extra: list[Path] = list(extra or [])
        self.folders: list[Path] = ([bundled_specs_dir()] if include_bundled else []) + self.extra
        self._load(self.folders, load_spec, "fix the spec files or check them with 'posecheck specs validate'")
