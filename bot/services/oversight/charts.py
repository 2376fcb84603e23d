"""Charts as PNG bytes (matplotlib, Agg): Chinese labels in the CJK font shipped by mplfonts.

The font is a file inside the mplfonts package, registered with matplotlib's font manager on
first use: nothing is downloaded and no system font is needed. Figures are built with
`matplotlib.figure.Figure` (no pyplot state), so the functions here may run in worker threads
(call them through `asyncio.to_thread`: rendering is CPU-bound). Characters the font lacks
(an emoji in a name) are drawn as "□" rather than silently missing; a "$" is drawn as itself,
never as matplotlib mathtext. `attempt` renders without ever raising, so a chart that fails
never stops the text or workbook sent with it.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_FAMILY = "Noto Sans CJK SC"
MAX_BARS = 60  # per panel; more are cut with a note (the caption carries every number)
ENDS = 10  # a ranking panel of more than 2 × ENDS units draws its top and bottom ENDS
DONE_COLOUR = "#2e7d32"
LEFT_COLOUR = "#e0e0e0"
VALUE_COLOUR = "#1565c0"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Share:
    """One bar of a completion chart: `done` of `total`."""

    label: str
    done: int
    total: int

    @property
    def rate(self) -> float:
        """Per cent done (0 when nothing is due)."""
        return 100.0 * self.done / self.total if self.total else 0.0


def font_path() -> Path:
    """The CJK font file inside the installed mplfonts package (never a system font)."""
    spec = importlib.util.find_spec("mplfonts")  # located, not imported: its init touches rc
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("mplfonts is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE


@cache
def _register() -> frozenset[int]:
    """Register the font with matplotlib once; return the code points it covers."""
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def covered() -> frozenset[int]:
    """The code points the chart font can draw (registers the font on first call)."""
    with _LOCK:
        return _register()


def drawable(text: str) -> str:
    """`text` with every character the font lacks replaced by "□" (controls dropped), and "$"
    escaped so that matplotlib draws it rather than reading `$…$` as mathtext."""
    cmap = covered()
    kept = (ch if ord(ch) in cmap else "□" for ch in text if ch.isprintable() or ch == "\n")
    return "".join(kept).replace("$", r"\$")


def attempt(render: Callable[..., bytes], /, **kwargs: object) -> bytes | None:
    """`render(**kwargs)`, or None (logged) if it fails: a chart is never worth losing the reply."""
    try:
        return render(**kwargs)
    except Exception:
        logger.exception("chart %s failed", getattr(render, "__name__", render))
        return None


def _height(rows: int) -> float:
    return max(1.2, 0.32 * min(rows, MAX_BARS) + 0.9)


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(8.0, height + 0.7), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _font() -> font_manager.FontProperties:
    covered()
    return font_manager.FontProperties(family=[FONT_FAMILY])


def _cut(labels: list[str], values: list[float]) -> tuple[list[str], list[float], int]:
    if len(labels) <= MAX_BARS:
        return labels, values, 0
    return labels[:MAX_BARS], values[:MAX_BARS], len(labels) - MAX_BARS


def bar_chart(*, title: str, labels: list[str], values: list[float], unit: str = "%") -> bytes:
    """A horizontal bar per label, top to bottom in the given order, each with its value."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    font = _font()
    labels, values, cut = _cut([drawable(x) for x in labels], values)
    fig = _figure(_height(len(labels)))
    ax = fig.add_subplot()
    rows = list(range(len(labels)))
    ax.barh(rows, values, color=VALUE_COLOUR)
    ax.set_yticks(rows, labels, fontproperties=font)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # first label on top, no empty margin
    top = max([*values, 0.0])
    ax.set_xlim(0, 100 if unit == "%" and top <= 100 else (top * 1.15 or 1))
    for row, value in zip(rows, values, strict=True):
        ax.text(value, row, f" {value:g}{unit}", va="center", fontproperties=font, fontsize=9)
    note = f"（另有 {cut} 项未画出）" if cut else ""
    ax.set_title(drawable(title) + note, fontproperties=font)
    ax.tick_params(axis="x", labelfontfamily=FONT_FAMILY)
    fig.tight_layout()
    return _png(fig)


def _panel(ax: Axes, heading: str, shares: list[Share]) -> None:
    font = _font()
    labels, rates, cut = _cut([drawable(s.label) for s in shares], [s.rate for s in shares])
    shares = shares[: len(labels)]
    rows = list(range(len(labels)))
    ax.barh(rows, [100.0] * len(rows), color=LEFT_COLOUR)
    ax.barh(rows, rates, color=DONE_COLOUR)
    ax.set_yticks(rows, labels, fontproperties=font)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # first label on top, no empty margin
    ax.set_xlim(0, 100)
    for row, share in zip(rows, shares, strict=True):
        text = f"{share.done}/{share.total}  {share.rate:.0f}%"
        ax.text(101, row, text, va="center", fontproperties=font, fontsize=8)
    note = f"（另有 {cut} 项未画出）" if cut else ""
    ax.set_title(drawable(heading) + note, fontproperties=font)
    ax.tick_params(axis="x", labelfontfamily=FONT_FAMILY)
    ax.set_xlabel("完成率 %", fontproperties=font)


def completion_chart(*, title: str, panels: list[tuple[str, list[Share]]]) -> bytes:
    """Panels one above the other (e.g. by person, by item): done-of-due bars, "3/5  60%"."""
    if not panels:
        raise ValueError("no panels")
    heights = [_height(max(len(shares), 1)) for _, shares in panels]
    fig = _figure(sum(heights))
    grid = fig.add_gridspec(len(panels), 1, height_ratios=heights)
    for position, (heading, shares) in enumerate(panels):
        _panel(fig.add_subplot(grid[position, 0]), heading, shares)
    fig.suptitle(drawable(title), fontproperties=_font())
    fig.tight_layout()
    return _png(fig)


def ends(labels: list[str], values: list[float]) -> tuple[list[str], list[float], int]:
    """A ranked panel cut to its top and bottom ENDS (a "…" row between); how many were left out."""
    if len(labels) <= 2 * ENDS:
        return labels, values, 0
    left_out = len(labels) - 2 * ENDS
    gap = f"…（{left_out} 个）"
    return (
        [*labels[:ENDS], gap, *labels[-ENDS:]],
        [*values[:ENDS], 0.0, *values[-ENDS:]],
        left_out,
    )


def ranking_chart(
    *, title: str, panels: list[tuple[str, list[str], list[float]]], unit: str = "分"
) -> bytes:
    """One panel per category (heading, labels best first, values): every category is drawn,
    a long one by its top and bottom ENDS."""
    if not panels or any(len(labels) != len(values) for _, labels, values in panels):
        raise ValueError("no panels, or labels and values differ in length")
    font = _font()
    cut = [ends([drawable(x) for x in labels], values) for _, labels, values in panels]
    heights = [_height(max(len(labels), 1)) for labels, _, _ in cut]
    fig = _figure(sum(heights))
    grid = fig.add_gridspec(len(panels), 1, height_ratios=heights)
    top = max([v for _, _, values in panels for v in values] + [0.0])
    for position, ((heading, _, _), (labels, values, left_out)) in enumerate(
        zip(panels, cut, strict=True)
    ):
        ax = fig.add_subplot(grid[position, 0])
        rows = list(range(len(labels)))
        gap = ENDS if left_out else -1
        ax.barh(rows, values, color=[LEFT_COLOUR if r == gap else VALUE_COLOUR for r in rows])
        ax.set_yticks(rows, labels, fontproperties=font)
        ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)
        ax.set_xlim(0, 100 if unit == "%" and top <= 100 else (top * 1.15 or 1))
        for row, value in zip(rows, values, strict=True):
            if row != gap:
                ax.text(
                    value, row, f" {value:g}{unit}", va="center", fontproperties=font, fontsize=8
                )
        note = (
            f"（共 {len(labels) - 1 + left_out} 个，画出前 {ENDS} 名与后 {ENDS} 名）"
            if left_out
            else ""
        )
        ax.set_title(drawable(heading) + note, fontproperties=font)
        ax.tick_params(axis="x", labelfontfamily=FONT_FAMILY)
    fig.suptitle(drawable(title), fontproperties=font)
    fig.tight_layout()
    return _png(fig)
