"""``posecheck score``: judge recorded videos and photos against a pose."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.region_option import region_option
from posecheck.cli.specs_cmd import load_library, specs_option


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


def _print_summary(result, quiet: bool) -> None:  # noqa: ANN001 - a ScoreResult
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
    # Ratios have no unit: shares of a body length.
    rows = [(cid, c.target + _unit(c), "—" if c.median is None else number(c.median) + _unit(c),
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


def _unit(c) -> str:  # noqa: ANN001 - a CheckStats
    """``°`` after an angle check's figures."""
    return "°" if c.unit == "deg" else ""


@app.command("score")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--pose", "poses", multiple=True,
              help="The pose (id, title or alias), or 'auto' to recognise the poses of a routine. "
                   "Give it once for all inputs, or once per input.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Output folder (one sub-folder per input when there are several, and batch.csv / "
                   "batch.json listing them).")
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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes, one landmark model each (default: the number of cores). Inputs are "
                   "scored side by side, and a long recording in time chunks (by default only on 4 cores "
                   "or more, where it pays); 1 scores one after another in this process.")
@click.option("--cluster", envvar="POSECHECK_RAY_ADDRESS", metavar="ADDRESS",
              help="Score on the Ray cluster at ADDRESS (host:port of its head; also POSECHECK_RAY_ADDRESS) "
                   "instead of this machine's cores; needs posecheck[cluster], and inputs and --out on "
                   "storage every node reads.")
@click.option("--force", is_flag=True, help="Replace results already in the output folder (in a batch: "
                                             "score inputs again that are already scored).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--report", "with_report", is_flag=True, help="Also write report.html (plots, worst moments, video).")
@click.option("--no-history", is_flag=True, help="Do not add this run to the progress history.")
@region_option
@specs_option
def score(inputs: tuple[Path, ...], poses: tuple[str, ...], out: Path, side: str, replay: Path | None,
          model: Path | None, no_video: bool, routine: str | None, routine_dirs: tuple[Path, ...], stride: int,
          jobs: int | None, cluster: str | None, force: bool, quiet: bool, with_report: bool, no_history: bool,
          region, specs: tuple[Path, ...]) -> None:  # noqa: ANN001
    """Score recorded videos or photos against a pose: summary, per-frame CSV, annotated video.

    \b
    INPUTS are videos, photos and folders. A folder of photos only is one input (the
    photos in order); a folder with any video in it is a batch: each video and each
    photo in it (not in its sub-folders) is scored on its own.

    \b
    Several inputs are a batch: each gets its own folder in --out (named after the file;
    frog-2, frog-3... when names collide), listed with status and score in
    --out/batch.csv and batch.json. A re-run skips inputs already scored completely
    (unless --force) and scores the rest; one input's failure never stops the others,
    and the exit code is 2 when any failed.
    """
    from posecheck.app.score import ScoreOptions, score_replay

    if replay is None and not inputs:
        raise click.UsageError("give a video, photo or folder to score, or --replay FILE")
    if replay is not None and inputs:
        raise click.UsageError("--replay re-scores saved landmarks: give no input files with it")
    if replay is not None and model is not None:
        raise click.UsageError("--replay and --model cannot be used together")
    if replay is not None and cluster:
        raise click.UsageError("--replay runs no model: it needs no --cluster")
    if replay is not None and region is not None:
        raise click.UsageError("--region is where the model looks; a replay does not run the model")
    if routine is not None and poses:
        raise click.UsageError("give either --pose or --routine, not both")
    if routine is None and not poses:
        raise click.UsageError("give --pose NAME (or --pose auto), or --routine NAME")
    n = max(len(inputs), 1)
    if poses and len(poses) not in (1, n):
        raise click.UsageError(f"give --pose once, or once per input ({n} inputs, {len(poses)} poses)")
    lib = load_library(specs)
    modes = _modes(lib, poses, side, routine, routine_dirs, specs)
    options = ScoreOptions(video=not no_video, force=force, model=model.resolve() if model else None, stride=stride, region=region)

    if replay is not None:
        result = _with_progress(lambda bar: score_replay(replay, modes[0], out, options,
                                                         on_frame=bar.advance), None, quiet)
        _print_summary(result, quiet)
        # A replay re-scores a session already in the history: adding it again would count it twice.
        _after(result, out, modes[0], with_report, history=False, quiet=quiet)
        return
    _score_inputs(list(inputs), modes, out, options, jobs, cluster, quiet, with_report, not no_history)


def _score_inputs(inputs: list[Path], modes: list, out: Path, options, jobs: int | None,  # noqa: ANN001
                  cluster: str | None, quiet: bool, with_report: bool, history: bool) -> None:
    """Score the inputs: one into --out itself, several (or a folder of videos) as a batch."""
    from posecheck.app.batch import (
        SPLIT_FROM_CORES,
        BatchInput,
        BatchSettings,
        cores,
        expand,
        result_folders,
        run_batch,
    )
    from posecheck.app.batch.index import earlier_folders, read_index
    from posecheck.cli.app import fail
    from posecheck.errors import OutputError

    expanded = expand(inputs)
    is_batch = len(expanded) > 1 or any(path != inputs[i] for path, i in expanded)
    chosen = [(path, modes[i if len(modes) > 1 else 0]) for path, i in expanded]
    keys, batch = [], []
    for path, mode in chosen:
        key = (path.resolve(), mode.name)
        if key in keys:
            print(f"posecheck: warning: {path} is given twice for {mode.name}; scoring it once", file=sys.stderr)
            continue
        keys.append(key)
        batch.append((path, mode))
    if is_batch:
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out} is a file, not a folder", "give --out a folder name")
        folders = result_folders(keys, out.resolve(), earlier_folders(read_index(out), out))
    else:
        folders = [out]
    # What is read is the input as given, made absolute (a worker may run elsewhere) but not
    # resolved: a symlink is opened as the link, so its errors name the file the user gave
    # (``dangling.mp4 does not exist``), not its target. The resolved path stays the input's
    # identity (``keys``: the same file given twice, earlier results of a batch).
    todo = [BatchInput(Path(os.path.abspath(path)), str(path), folder.resolve() if is_batch else folder, mode)
            for (path, mode), folder in zip(batch, folders)]
    # Time chunks cost a second decode of the video (to draw it) and pay only where each chunk's
    # model gets cores of its own: on 2 cores a 60 s clip took 70.9 s in 2 chunks against 50.4 s
    # whole (docs/performance.md). By default a recording is split on 4 cores or more; --jobs or
    # --cluster given splits it as asked.
    split = jobs is not None or cluster is not None or cores() >= SPLIT_FROM_CORES
    settings = BatchSettings(out=out, jobs=jobs or cores(), cluster=cluster, index=is_batch, split=split)
    listener = _BatchBar(todo, is_batch, quiet, lambda o: _after(o.result, o.input.out, o.input.mode, with_report,
                                                                 history=history, quiet=quiet))
    try:
        report = run_batch(todo, options, settings, listener)
    finally:
        listener.stop()
    if not is_batch:
        outcome = report.outcomes[0]
        if outcome.status != "scored":
            fail(outcome.failure.message, outcome.failure.exit_code)
        return
    listener.totals(report)
    if report.interrupted:
        left = report.count("interrupted")
        fail(f"interrupted: {report.count('scored')} of {len(report.outcomes)} inputs scored, {left} not finished; "
             "run the same command again to score them", 130)
    failed = report.count("failed")
    if failed:
        where = f" (see {report.index_files[1]})" if report.index_files else ""
        # A full stop, as every other error line (PosecheckError.one_line) ends with one.
        fail(f"{failed} of {len(report.outcomes)} inputs failed{where}.", 2)


def _modes(lib, poses: tuple[str, ...], side: str, routine: str | None, routine_dirs: tuple[Path, ...],  # noqa: ANN001
           specs: tuple[Path, ...]) -> list:
    """What to judge, per input: unknown poses and routines fail here, before any work."""
    from posecheck.app.modes import mode_named

    if routine is not None:
        from posecheck.cli.routines_cmd import load_routines

        return [mode_named(lib, routine=routine, routines=load_routines(routine_dirs, specs))]
    # "auto" recognises every known pose frame by frame.
    return [mode_named(lib, p, side=side) for p in poses]


def _after(result, out: Path, mode, with_report: bool, history: bool, quiet: bool) -> None:  # noqa: ANN001
    """Write the report when asked and add the run to the history (each a warning if it fails)."""
    from posecheck.app.after_run import add_to_history, write_report

    if with_report:
        path = write_report(out, result.summary, specs=list(mode.specs))
        if path is not None and not quiet:
            print(f"report     {path}")
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


class _BatchBar:
    """The one progress display of a batch (inputs done / total, frames per second) on stderr when it
    is a terminal, and a line per input as each is done; a single input prints its whole summary."""

    def __init__(self, inputs: list, is_batch: bool, quiet: bool, after) -> None:  # noqa: ANN001
        self.inputs, self.is_batch, self.quiet, self.after = inputs, is_batch, quiet, after
        self.enabled = not quiet and sys.stderr.isatty()
        self._progress = None
        self._task = None
        self._t0 = 0.0
        self._done = 0
        self._frames = 0

    def start(self, inputs: int, frames: int | None) -> None:
        import time

        self._t0 = time.perf_counter()
        if not self.enabled or inputs == 0:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self.is_batch:
            columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TextColumn("inputs"),
                       TextColumn("{task.fields[rate]}"), TimeElapsedColumn())
            total = inputs
        else:
            from rich.progress import TimeRemainingColumn

            columns = (TextColumn(f"scoring {self.inputs[0].path.name}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
            total = frames
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("scoring", total=total, rate="")

    def progress(self, frames: int) -> None:
        import time

        self._frames = frames
        if self._progress is None:
            return
        rate = frames / max(time.perf_counter() - self._t0, 1e-6)
        fields = {"rate": f"{rate:.0f} frames/s"}
        if self.is_batch:
            self._progress.update(self._task, completed=self._done, **fields)
        else:
            self._progress.update(self._task, completed=frames, **fields)

    def done(self, outcome) -> None:  # noqa: ANN001 - an InputOutcome
        if outcome.status != "skipped":
            self._done += 1
        if not self.is_batch:
            self.stop()
            if outcome.status == "scored":
                _print_summary(outcome.result, self.quiet)
                self.after(outcome)
            return
        if self._progress is not None:
            self._progress.update(self._task, completed=self._done)
        self._line(outcome)
        if outcome.status == "scored":
            self.after(outcome)

    def _line(self, o) -> None:  # noqa: ANN001 - an InputOutcome
        """One line for an input of a batch: failures on stderr, the rest unless --quiet."""
        from posecheck.cli.words import count, seconds

        if o.status == "failed":
            self._say(f"posecheck: error: {o.failure.message}", err=True)
            return
        if self.quiet or o.status == "interrupted":
            return
        s = o.result.summary
        score = "not judged" if s.score is None else f"{s.score:.0f}/100"
        what = "already scored" if o.status == "skipped" else "scored"
        if getattr(s, "photos", None) is not None:
            # Photos are counted, not timed: their time fields are None.
            form = f"{s.photos_in_good_form} of {count(s.photos, 'photo')} in good form"
        else:
            form = f"good form {seconds(s.time_in_good_form_s)} of {seconds(s.duration_s)}"
        self._say(f"{what}: {o.input.name} -> {_shown(o.input.out)}: score {score}, {form}")

    def _say(self, text: str, err: bool = False) -> None:
        from rich.markup import escape

        if self._progress is not None:
            self._progress.console.print(escape(text), highlight=False, soft_wrap=True)
        else:
            print(text, file=sys.stderr if err else sys.stdout)

    def totals(self, report) -> None:  # noqa: ANN001 - a BatchReport
        """The batch's last line: how many of each, and where the index is."""
        self.stop()
        if self.quiet:
            return
        parts = [f"{report.count(k)} {k}" for k in ("scored", "skipped", "failed", "interrupted") if report.count(k)]
        index = f"; {report.index_files[1]}" if report.index_files else ""
        rate = f", {report.frames / report.seconds:.0f} frames/s" if report.seconds and report.frames else ""
        where = f" ({report.executor})" if report.executor else ""
        print(f"{len(report.outcomes)} inputs: {', '.join(parts)} in {report.seconds:.1f} s{rate}{where}{index}")

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _shown(path: Path) -> str:
    """A path as short as it can be said: from the current folder when it is inside it."""
    import os

    rel = os.path.relpath(path)
    return path.as_posix() if rel.startswith("..") else rel
