"""``posecheck live``: practise in front of a camera with cues on screen and spoken."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.region_option import region_option
from posecheck.cli.specs_cmd import load_library, specs_option


@app.command("live")
@click.option("--pose", help="The pose to practise (id, title or alias), or 'auto' for whichever known pose "
                             "you are in.")
@click.option("--routine", help="Be guided through a routine, hold by hold (instead of --pose); "
                                "'posecheck routines list' shows them.")
@click.option("--routines", "routine_dirs", multiple=True, type=click.Path(path_type=Path),
              help="An extra folder of routine files (repeatable).")
@click.option("--camera", type=click.IntRange(min=0), default=0, show_default=True, help="Camera index.")
@click.option("--source", type=click.Path(path_type=Path), help="Drive the session from a video file instead.")
@click.option("--headless", is_flag=True, help="No window: hear the cues (--voice) or record them (--record).")
@click.option("--record", type=click.Path(path_type=Path), help="Record what the window shows to this .mp4.")
@click.option("--exit-after", type=click.FloatRange(min=0, min_open=True), help="End after this many seconds.")
@click.option("--mirror/--no-mirror", default=None, help="Flip like a mirror (default: on for cameras).")
@click.option("--voice", is_flag=True, help="Speak the cues (espeak-ng on Linux).")
@click.option("--voice-to", "voice_dir", type=click.Path(path_type=Path),
              help="Speak the cues into WAV files in this folder instead (to check what is said).")
@click.option("--side", type=click.Choice(["auto", "left", "right"]), default="auto", show_default=True,
              help="Which leg is forward (lunges, pigeon); auto finds it as you go. The s key switches it.")
@click.option("--fps", "show_fps", is_flag=True, help="Show frames per second.")
@click.option("--sessions", type=click.Path(path_type=Path),
              help="Where to save the session (default: $POSECHECK_HOME/sessions or your data folder).")
@click.option("--force", is_flag=True, help="Replace an existing --record file.")
@click.option("--no-history", is_flag=True, help="Do not add this session to the progress history.")
@region_option
@specs_option
def live(pose: str | None, routine: str | None, routine_dirs: tuple[Path, ...], camera: int,
         source: Path | None, headless: bool, record: Path | None,
         exit_after: float | None, mirror: bool | None, voice: bool, voice_dir: Path | None, side: str,
         show_fps: bool,
         sessions: Path | None, force: bool, no_history: bool, region, specs: tuple[Path, ...]) -> None:  # noqa: ANN001
    """Practise a pose live: skeleton, one cue at a time, a hold timer.

    With --pose auto, whichever known pose you are in; with --routine, a routine's
    poses in order, each held for its target in good form, with rests between.
    """
    from posecheck.app.live import LiveOptions, run_live
    from posecheck.errors import OutputError

    if routine is not None and pose is not None:
        raise click.UsageError("give either --pose or --routine, not both")
    if routine is None and pose is None:
        raise click.UsageError("give --pose NAME (or --pose auto), or --routine NAME")
    if routine is not None and side != "auto":
        raise click.UsageError("--side does not go with --routine: the routine says which side each hold is")
    if headless and record is None and not (voice or voice_dir):
        raise click.UsageError("--headless shows nothing: add --voice to hear the cues, "
                               "or --record OUT.mp4 to keep what it would show")
    if record is not None:
        if record.exists() and not force:
            raise OutputError(f"{record} already exists", "use --force to replace it or choose another name")
        from posecheck.io.media import WRITABLE_EXTENSIONS

        if record.suffix.lower() not in WRITABLE_EXTENSIONS:
            raise click.UsageError("--record needs a .mp4, .mov or .mkv file name")
    if voice_dir is not None:
        voice_dir.mkdir(parents=True, exist_ok=True)
    mode = _mode(pose, routine, routine_dirs, specs, side)
    if source is not None:
        from posecheck.io.media import open_media

        open_media(source).close()  # a bad file fails here, with its own message
    opts = LiveOptions(camera=camera, source=source, headless=headless, record=record, exit_after=exit_after,
                       mirror=mirror, voice=voice, show_fps=show_fps, sessions_dir=sessions, voice_dir=voice_dir,
                       region=region)
    result = run_live(mode, opts)
    s = result.summary
    stats = result.stats
    from rich.text import Text

    from posecheck.cli.score_cmd import score_words
    from posecheck.cli.tables import console
    from posecheck.cli.words import print_phrases, seconds

    con = console()
    run = [f"{stats.frames} frames in {seconds(stats.wall_s)} ({stats.fps:.1f} fps)", f"({result.ended_by})"]
    if mode.kind == "pose":
        print_phrases(con, [f"{mode.spec.title}: {score_words(s.score, bool(s.time_in_pose_s))}",
                            f"in the pose {seconds(s.time_in_pose_s)}", f"good form {seconds(s.time_in_good_form_s)}",
                            *run])
    else:
        from posecheck.cli.score_cmd import print_auto_summary

        print_phrases(con, run)
        print_auto_summary(s, {})
    from posecheck.session.summary import work_on

    con.print(Text(f"what to work on: {work_on(s) or 'nothing stood out: every check was mostly ok'}"), soft_wrap=True)
    con.print(Text(f"session saved: {result.session_dir}"), soft_wrap=True)
    if record is not None:
        con.print(Text(f"recording: {record}"), soft_wrap=True)
    if result.stats.frames:
        from posecheck.app.after_run import add_to_history, write_report

        path = write_report(result.session_dir, s, specs=list(mode.specs), video=record)
        if path is not None:
            con.print(Text(f"report: {path}"), soft_wrap=True)
        if not no_history:
            from posecheck.cli.history_cmd import tell_where_history_is

            tell_where_history_is(add_to_history(s, "live", result.session_dir, list(mode.specs)))
    if not result.complete:
        raise SystemExit(130)


def _mode(pose: str | None, routine: str | None, routine_dirs: tuple[Path, ...],
          specs: tuple[Path, ...], side: str):  # noqa: ANN202 - a Mode
    """What to practise; unknown names fail here, before any work."""
    from posecheck.app.modes import mode_named

    routines = None
    if routine is not None:
        from posecheck.cli.routines_cmd import load_routines

        routines = load_routines(routine_dirs, specs)
    return mode_named(load_library(specs), pose, routine, side, routines)
