"""Reading spec files: YAML (safe loader only) validated into :class:`PoseSpec`.

Every problem in a file is reported at once, each naming the file, the field path
and what was expected, as one :class:`~posecheck.errors.SpecError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from posecheck.errors import SpecError, printable
from posecheck.specs.models import PoseSpec

M = TypeVar("M", bound=BaseModel)

SPEC_SUFFIXES = (".yaml", ".yml")

#: libyaml's safe loader when PyYAML has it (ten times faster, the same safety), else the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _safe_load(text: str) -> Any:
    """``yaml.safe_load`` with :data:`_SAFE_LOADER`: plain data only, never a Python object."""
    loader = _SAFE_LOADER(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _known_fields(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    stack: list[type] = [model]
    while stack:
        m = stack.pop()
        for name, info in m.model_fields.items():
            names.add(name)
            for arg in getattr(info.annotation, "__args__", ()) or (info.annotation,):
                inner = getattr(arg, "__args__", None) or (arg,)
                for t in inner:
                    if isinstance(t, type) and issubclass(t, BaseModel) and t not in stack:
                        stack.append(t)
    return names


def _messages(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """(field path, message) pairs, one per problem, in plain words."""
    out: list[tuple[str, str]] = []
    fields = _known_fields(model)
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), sorted(fields), n=1)
            msg = f"unknown field '{loc[-1]}'" + (f" (did you mean '{close[0]}'?)" if close else "")
            out.append((_loc(loc), msg))
            continue
        if kind == "missing":
            out.append((_loc(loc), "required field is missing"))
            continue
        if kind == "value_error" and not loc:
            # Whole-spec checks report several problems, each with its own path.
            for part in msg.split(" | "):
                path, _, text = part.partition(": ")
                full = _loc(loc) + "." + path if loc else path
                out.append((full, text))
            continue
        for part in msg.split("; ") if kind == "value_error" else [msg]:
            out.append((_loc(loc), part))
    return out


def validate_data(data: Any, model: type[M], origin: str) -> M:
    """Validate parsed YAML ``data`` into ``model``; SpecError naming ``origin`` if it fails."""
    if data is None:
        raise SpecError([f"{origin}: the file is empty (expected a mapping with id, title, checks, …)"])
    if not isinstance(data, dict):
        raise SpecError([f"{origin}: (top level): expected a mapping of fields, got {type(data).__name__}"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [printable(f"{origin}: {path}: {msg}") for path, msg in _messages(exc, model)]
        raise SpecError(problems) from None
    except (TypeError, RecursionError) as exc:  # pathological YAML (e.g. unhashable keys)
        raise SpecError([f"{origin}: (top level): not a valid spec ({exc.__class__.__name__})"]) from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file with the safe loader; SpecError naming the file and line if it cannot."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise SpecError([f"{path}: is a folder, expected a .yaml file"]) from None
    except UnicodeDecodeError:
        raise SpecError([f"{path}: not a text file (expected UTF-8 YAML)"]) from None
    except OSError as exc:
        raise SpecError([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        return _safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise SpecError([printable(f"{path}: {where}: invalid YAML ({exc.problem or exc})")]) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise SpecError([f"{path}: invalid YAML ({exc.__class__.__name__})"]) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read and validate one YAML file into ``model``."""
    return validate_data(read_yaml(path), model, str(path))


def load_spec(path: str | Path) -> PoseSpec:
    """Read and validate one pose spec file."""
    return load_model(Path(path), PoseSpec)


def spec_files(path: Path) -> list[Path]:
    """The spec files in ``path`` (a file gives itself), sorted by name."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in SPEC_SUFFIXES and p.is_file())
    return [path]


def check_files(paths: list[Path], load_one: Callable[[Path], Any], what: str = "spec") -> tuple[int, list[str]]:
    """Load every file under ``paths`` with ``load_one``; (number of files, every problem found).

    Args:
        paths: files and folders (a folder's ``.yaml`` files, not its sub-folders).
        load_one: reads one file, raising :class:`~posecheck.errors.SpecError` when it is not valid.
        what: what the files hold, for the messages (``spec``, ``routine``).
    """
    problems: list[str] = []
    count = 0
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        files = spec_files(path)
        if path.is_dir() and not files:
            problems.append(f"{path}: no .yaml {what} files in this folder")
        seen: dict[str, Path] = {}
        for file in files:
            count += 1
            try:
                loaded = load_one(file)
            except SpecError as exc:
                problems.extend(exc.lines())
                continue
            problems.extend(_duplicate(loaded, file, seen, what))
    return count, problems


def _duplicate(loaded: Any, file: Path, seen: dict[str, Path], what: str) -> list[str]:
    """A problem if another file of the same folder already defined this id (and remember it)."""
    key = getattr(loaded, "id", None)
    if key is None:
        return []
    if key in seen:
        return [f"{file}: id: '{key}' is also the id of {seen[key].name} in the same folder "
                f"(each {what} needs its own id)"]
    seen[key] = file
    return []


def load_folders(folders: list[Path], load_one: Callable[[Path], Any], what: str = "spec",
                 hint: str = "") -> dict[str, tuple[Any, Path]]:
    """Everything in ``folders``, by id; a later folder's file replaces an earlier one's of the same id.

    Raises:
        SpecError: one line per problem in any file (all of them, not the first only),
            including two files of one folder with the same id.
    """
    found: dict[str, tuple[Any, Path]] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: {what} folder does not exist")
            continue
        seen: dict[str, Path] = {}
        for file in spec_files(folder):
            try:
                loaded = load_one(file)
            except SpecError as exc:
                problems.extend(exc.lines())
                continue
            clash = _duplicate(loaded, file, seen, what)
            problems.extend(clash)
            if not clash:
                found[loaded.id] = (loaded, file)
    if problems:
        raise SpecError(problems, hint=hint)
    return found


def validate_paths(paths: list[Path]) -> tuple[int, list[str]]:
    """Validate every spec file under ``paths``; (number of files, problems)."""
    return check_files(paths, load_spec, "spec")
