"""``posecheck score``: judge recorded videos and photos against a pose."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import load_library, specs_option
from posecheck.errors import PosecheckError


def score_words(score: float | None, in_pose: bool = True) -> str:
    """``score 72/100``, or why there is none: never in the pose, or never judged."""
    if score is not None:
        return f"score {score:.0f}/100"
    return "not judged: never in the pose" if not in_pose else "not judged"


def print_routine(con, r) -> None:  # noqa: ANN001 - a Console and a RoutineReport
    """The routine section of a summary: totals, then per planned hold what was done."""
    from rich.text import Text

    from posecheck.cli.tables import Column, print_table
    from posecheck.cli.words import seconds, target_seconds

    con.print(Text(f"{r.title}: {r.holds_done} of {r.holds_planned} holds done, {r.holds_long_enough} held "
                   f"long enough in good form, {r.holds_skipped} skipped"))
    columns = (Column("pose", whole=True), Column("side", whole=True), Column("rep", whole=True, justify="right"),
               Column("target", whole=True, justify="right"), Column("done"),
               Column("in pose", whole=True, justify="right", optional=True),
               Column("good form", whole=True, justify="right"), Column("score", whole=True, justify="right"))
    rows = []
    for st in r.steps:
        target = target_seconds(st.hold_target_s)
        if st.done:
            rows.append((st.title, st.side or "—", str(st.repetition), target,
                         "yes" if st.held_long_enough else "too short", seconds(st.time_in_pose_s),
                         seconds(st.time_in_good_form_s), "—" if st.score is None else f"{st.score:.0f}"))
        else:
            rows.append((st.title, st.side or "—", str(st.repetition), target, "skipped", "", "", ""))
    print_table(con, columns, rows)


def print_files(con, files: dict) -> None:  # noqa: ANN001 - a Console
    """What was written, one file a line, the path whole."""
    from rich.text import Text

    for key, path in files.items():
        con.print(Text(f"{key:<10} {path}"), soft_wrap=True)


def print_auto_summary(s, files: dict) -> None:  # noqa: ANN001 - an AutoSummary
    """A --pose auto (or --routine) summary: the segments, the routine's holds, the files."""
    from posecheck.cli.tables import Column, console, print_table
    from posecheck.cli.words import count, print_phrases, seconds

    con = console()
    print_phrases(con, [f"{Path(s.input).name}: {count(len(s.segments), 'segment')}",
                        score_words(s.score, any(seg.time_in_pose_s for seg in s.segments)),
                        f"in a pose {seconds(s.time_in_pose_s)}", f"good form {seconds(s.time_in_good_form_s)}",
                        f"of {seconds(s.duration_s)}"])
    columns = (Column("pose", whole=True), Column("side", whole=True), Column("from", whole=True, justify="right"),
               Column("to", whole=True, justify="right"), Column("in pose", whole=True, justify="right"),
               Column("good form", whole=True, justify="right"), Column("score", whole=True, justify="right"))
    rows = [(seg.pose_title, seg.side or "—", seconds(seg.start_s), seconds(seg.end_s), seconds(seg.time_in_pose_s),
             seconds(seg.time_in_good_form_s), "—" if seg.score is None else f"{seg.score:.0f}")
            for seg in s.segments]
    if rows:
        print_table(con, columns, rows, title="segments")
    if s.routine is not None:
        print_routine(con, s.routine)
    print_files(con, files)


def _print_summary(result, quiet: bool, spec=None) -> None:  # noqa: ANN001 - a ScoreResult and a PoseSpec
    if quiet:
        return
    from rich.text import Text

    from posecheck.cli.tables import Column, console, print_table
    from posecheck.cli.words import count, number, print_phrases, seconds

    s = result.summary
    if s.pose == "auto":
        print_auto_summary(s, result.files)
        return
    con = console()
    con.print(Text(f"{s.pose_title} — {Path(s.input).name}", style="bold"), soft_wrap=True)
    if s.photos is not None:
        print_phrases(con, [score_words(s.score, bool(s.photos_in_pose)),
                            f"{s.photos_in_pose} of {count(s.photos, 'photo')} in the pose",
                            f"{s.photos_in_good_form} in good form"])
    else:
        print_phrases(con, [score_words(s.score, bool(s.time_in_pose_s)), f"in the pose {seconds(s.time_in_pose_s)}",
                            f"good form {seconds(s.time_in_good_form_s)}",
                            f"the camera could not judge {seconds(s.time_not_judged_s)}",
                            f"of {seconds(s.duration_s)}"])
    if not s.complete:
        con.print("[yellow]incomplete: the run was interrupted[/yellow]")
    if s.frames_with_person < s.frames:
        con.print(f"no person found in {s.frames - s.frames_with_person} of {s.frames} frames")
    if s.frames_lost:
        con.print(f"{count(s.frames_lost, 'frame')} could not be decoded and {'was' if s.frames_lost == 1 else 'were'} "
                  "skipped")
    for h in s.holds:
        side = f"{h.side} " if h.side else ""
        print_phrases(con, [f"  hold {side}{h.start_s:.1f}–{h.end_s:.1f} s: {seconds(h.duration_s)}",
                            f"good form {seconds(h.good_form_s)}"])
    title = f"checks, over {s.checks_over}"
    columns = (Column("check", whole=True), Column("target", whole=True, justify="right"),
               Column("median", whole=True, justify="right"), Column("ok", whole=True, justify="right"),
               Column("near", whole=True, justify="right"), Column("off", whole=True, justify="right"),
               Column("unknown", whole=True, justify="right"))
    units = _units(spec)
    rows = [(cid, c.target + units.get(cid, ""), "—" if c.median is None else number(c.median) + units.get(cid, ""),
             f"{c.pct_ok:.0f}%", f"{c.pct_near:.0f}%", f"{c.pct_off:.0f}%", f"{c.pct_unknown:.0f}%")
            for cid, c in s.checks.items()]
    print_table(con, columns, rows, title=title)
    cues = [(cid, c.most_common_cue) for cid, c in s.checks.items() if c.most_common_cue]
    if cues:
        con.print("most common cues:")
        print_table(con, (Column("check", whole=True), Column("cue")), [(f"  {cid}", cue) for cid, cue in cues],
                    header=False)
    print_files(con, result.files)
    if s.most_common_camera_cue:
        con.print(Text(f"camera: {s.most_common_camera_cue}"))


def _units(spec) -> dict[str, str]:  # noqa: ANN001 - a PoseSpec or None
    """``°`` for the angle checks of the run's pose (ratios have no unit)."""
    from posecheck.checks import get_kind

    if spec is None:
        return {}
    return {c.id: "°" for c in spec.checks if get_kind(c.kind).unit == "deg"}


@app.command("score")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--pose", "poses", multiple=True,
              help="The pose (id, title or alias), or 'auto' to recognise the poses of a routine. "
                   "Give it once for all inputs, or once per input.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Output folder (one sub-folder per input when there are several).")
@click.option("--side", type=click.Choice(["auto", "left", "right"]), default="auto", show_default=True,
              help="Which leg is forward (lunges); auto finds it in every frame.")
@click.option("--replay", type=click.Path(path_type=Path),
              help="Re-score a landmarks.jsonl from an earlier run instead of running the model.")
@click.option("--model", type=click.Path(path_type=Path),
              help="A MediaPipe pose_landmarker_lite/full/heavy .task file instead of the model inside the "
                   "mediapipe wheel (download it once from the MediaPipe pose landmarker page; see the README).")
@click.option("--no-video", is_flag=True, help="Do not write annotated.mp4.")
@click.option("--routine", help="Score a recorded routine against its plan (poses, sides, holds); instead of --pose.")
@click.option("--routines", "routine_dirs", multiple=True, type=click.Path(path_type=Path),
              help="An extra folder of routine files (repeatable).")
@click.option("--stride", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge every Nth frame only, for a quick look.")
@click.option("--force", is_flag=True, help="Replace results already in the output folder.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--report", "with_report", is_flag=True, help="Also write report.html (plots, worst moments, video).")
@click.option("--no-history", is_flag=True, help="Do not add this run to the progress history.")
@specs_option
def score(inputs: tuple[Path, ...], poses: tuple[str, ...], out: Path, side: str, replay: Path | None,
          model: Path | None, no_video: bool, routine: str | None, routine_dirs: tuple[Path, ...], stride: int,
          force: bool, quiet: bool, with_report: bool, no_history: bool, specs: tuple[Path, ...]) -> None:
    """Score recorded videos or photos against a pose: summary, per-frame CSV, annotated video."""
    from posecheck.app.score import ScoreOptions, score_file, score_replay
    from posecheck.errors import Interrupted

    if replay is None and not inputs:
        raise click.UsageError("give a video, photo or folder to score, or --replay FILE")
    if replay is not None and inputs:
        raise click.UsageError("--replay re-scores saved landmarks: give no input files with it")
    if replay is not None and model is not None:
        raise click.UsageError("--replay and --model cannot be used together")
    if routine is not None and poses:
        raise click.UsageError("give either --pose or --routine, not both")
    if routine is None and not poses:
        raise click.UsageError("give --pose NAME (or --pose auto), or --routine NAME")
    n = max(len(inputs), 1)
    if poses and len(poses) not in (1, n):
        raise click.UsageError(f"give --pose once, or once per input ({n} inputs, {len(poses)} poses)")
    lib = load_library(specs)
    modes = _modes(lib, poses, side, routine, routine_dirs, specs)
    options = ScoreOptions(video=not no_video, force=force, model=model, stride=stride)

    if replay is not None:
        result = _with_progress(lambda bar: score_replay(replay, modes[0], out, options,
                                                         on_frame=bar.advance), None, quiet)
        _print_summary(result, quiet, modes[0].spec)
        # A replay re-scores a session already in the history: adding it again would count it twice.
        _after(result, out, modes[0], with_report, history=False, quiet=quiet)
        return
    failures = 0
    for i, path in enumerate(inputs):
        mode = modes[i if len(modes) > 1 else 0]
        target = out if len(inputs) == 1 else out / path.stem
        try:
            result = _with_progress(
                lambda bar: score_file(path, mode, target, options, on_start=bar.start, on_frame=bar.advance),
                path, quiet)
        except Interrupted:
            raise
        except PosecheckError as exc:
            if len(inputs) == 1:
                raise
            print(f"posecheck: error: {exc.one_line()}", file=sys.stderr)
            failures += 1
            continue
        _print_summary(result, quiet, mode.spec)
        _after(result, target, mode, with_report, history=not no_history, quiet=quiet)
    if failures:
        raise SystemExit(2)


def _modes(lib, poses: tuple[str, ...], side: str, routine: str | None, routine_dirs: tuple[Path, ...],  # noqa: ANN001
           specs: tuple[Path, ...]) -> list:
    """What to judge, per input: unknown poses and routines fail here, before any work."""
    from posecheck.session.session import Mode

    if routine is not None:
        from posecheck.cli.routines_cmd import load_routines

        routines = load_routines(routine_dirs, specs)
        the_routine = routines.get(routine)
        plan = routines.plan(the_routine)
        # Recognise only the routine's own poses: fewer look-alikes to confuse.
        return [Mode.routine(the_routine, plan, [lib.get(p) for p in dict.fromkeys(h.pose for h in plan)])]
    # "auto" recognises every known pose frame by frame.
    return [Mode.auto(list(lib), side) if p.strip().lower() == "auto" else Mode.pose(lib.get(p), side)
            for p in poses]


def _after(result, out: Path, mode, with_report: bool, history: bool, quiet: bool) -> None:  # noqa: ANN001
    """Write the report when asked and add the run to the history (each a warning if it fails)."""
    import warnings

    from posecheck.app.after_run import add_to_history, write_report

    if with_report:
        if mode.kind == "pose":
            path = write_report(out, result.summary, spec=mode.spec)
            if path is not None and not quiet:
                print(f"report     {path}")
        else:
            warnings.warn("report.html is not written for --pose auto yet; summary.json lists every segment",
                          stacklevel=1)
    if history:
        from posecheck.cli.history_cmd import tell_where_history_is

        tell_where_history_is(add_to_history(result.summary, "score", out, list(mode.specs), announce=not quiet))


class _Bar:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label, self.enabled = label, enabled
        self._progress = None
        self._task = None

    def start(self, total: int | None) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=total)

    def advance(self, done: int) -> None:
        if self._progress is None and self.enabled:
            self.start(None)
        if self._progress is not None:
            self._progress.update(self._task, completed=done)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _with_progress(run, path: Path | None, quiet: bool):
    bar = _Bar(f"scoring {path.name if path else 'replay'}", enabled=not quiet and sys.stderr.isatty())
    try:
        return run(bar)
    finally:
        bar.stop()
