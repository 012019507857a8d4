"""``--region``: the part of the picture where the practising person is (``score`` and ``live``)."""

from __future__ import annotations

import click


def _parse(ctx: click.Context, param: click.Parameter, value: str | None):  # noqa: ANN202, ARG001
    """The option's text as a :class:`~posecheck.estimators.region.Region` (None when not given)."""
    if value is None:
        return None
    from posecheck.errors import InputError
    from posecheck.estimators.region import Region

    try:
        return Region.parse(value)
    except InputError as exc:
        raise click.BadParameter(exc.one_line().removeprefix("--region ")) from None


region_option = click.option(
    "--region", callback=_parse, metavar="X,Y,W,H",
    help="Look for the person only in this part of the picture: its left, top, width and height, as "
         "fractions (0.25,0,0.5,1 is the middle half) or in pixels. Use it when someone else is in view.",
)

__all__ = ["region_option"]
