"""From a whole plate to its characters, left to right.

The segmenter works on the connected components of a binarized plate, in these steps:

0. Bands of one flat colour that frame the crop on opposite sides (a crop taken past the
   photo's edge, or laid on a canvas) are cut off first (:func:`flat_margins`): their edges
   would stand at the ends of the row like "1"s, and their contrast would take the threshold.
1. Scale the plate to a working height (small crops are enlarged so that strokes stay apart,
   big ones shrunk so that the work stays cheap) and binarize it with Otsu, once for each
   polarity: light text on a dark plate (blue, black, green with white text) and dark text on a
   light plate (white, yellow, green), lowered where a stretch of the plate lies in shadow
   (see :func:`_binaries`). Both are segmented; the one that gives the better line
   of characters wins, helped by the plate's areas (text covers less of a plate than its
   surface does), so no colour rule is needed.
2. Cut out the text band: the rows that cross many strokes. What lies above and below (frame
   lines, a state name, a slogan, a dealer strip) is blanked, so it neither glues characters
   together nor is read. Long horizontal runs inside the band are erased too.
3. Find the text line: the largest set of components with similar heights that overlap
   vertically. Its slope gives the plate's rotation; a plate rotated by more than about a
   degree is straightened and segmented again (keeping its polarity), and so is a slanted one
   (the shear is estimated on the text band even when the slant leaves too few separate
   characters for a line, and overruled by the median of the characters' own shears when a
   leaning frame sways the band).
4. Keep the components that sit inside the line; merge the parts of a broken character (parts
   that overlap horizontally) and the separate strokes of a many-stroke symbol (such as the
   province character of a Chinese plate, and narrow pieces standing much closer together
   than the line's characters do); split blobs wider than a character at the deepest
   valleys of their column profile, once a hyphen or dot glued to either end (low, about
   the middle of the row) is cut off (a part sharing most of its columns with a separate
   character is a frame corner running over or under the row, and goes), and join again the
   unequal halves of a square symbol (no wider than the row's pitch allows); drop
   what is too small for a character (the dot between groups, rivets, screws, small text) or
   covers too little of the row's height (a dot hanging from a bit of the frame; done last,
   on the straightened plate, so that rotation and polarity are judged as before), too
   tall (frame edges, the EU band) or solid (stickers), and the frame's sides or the plate's
   border at both ends of the line (thin bars that run past the band, stand at the image's
   edge or hug the last character well inside the row's pitch, and pieces cut by the image's
   edge whose only full-height columns are a thin stroke on that side, and a side leaning by
   perspective: one thin straight slanted stroke that runs into the frame's lines above and
   below, and a frame corner off the row's pitch, judged by its one thin stroke across the
   row's middle; a thin bar in its cell at the row's pitch and as tall as the row is a "1",
   unless it runs on past the row on both sides); a frame side that blur glued to the
   first or last character (a thin stroke inked from above the row to below it, standing
   apart from the character across the row's middle) is cut off it.
5. What a character carries beyond the row's top or bottom line, when narrow (a rivet or a
   dot glued on by blur), is cut off its box and mask, last, so that rotation and polarity
   are judged as before.
6. A character much fainter than the others (worn paint) is lost by the plate-wide threshold:
   the cell one pitch before the row's first character is thresholded on its own, and what it
   holds is taken when it has real contrast and a character's size (a frame line across the
   cell's edge is left out of that threshold; a blurred many-stroke symbol that comes out as
   one solid patch is thresholded again within it).
7. Two characters glued together by blur or a bold face that are too narrow together for the
   width rule of step 4 (a "1" and its neighbour) are cut at one of their thinnest columns
   when the judge, the reader's confidence, scores both halves much better than the whole
   (a wide letter scores well whole, and its halves poorly); and the other way round, two
   pieces the width rule cut out of one blob are joined again when the judge reads the whole
   much better (a 0 glued to the frame side, cut through its hollow). A blob step 4 dropped
   as too wide for a character (two or three glued characters of several components) is cut
   the same way, without the dot or blur's one-pixel bridges at its pieces' ends, and kept
   only when the judge reads every piece as a character.
8. A thin bar left at either end of the row whose stroke is much thinner than the row's
   characters' strokes is a frame line, not a "1" (a font draws its 1 with the stroke of its
   other digits). With a judge, a piece at either end that shares half its columns with its
   neighbour and reaches past the row's top or bottom is a rounded corner of the frame.
9. With a judge, when it reads any character found less surely than 0.7, the row is cropped
   out with a little room around it and segmented again from step 1: it gets its own
   threshold and working scale (the whole crop's were swayed by what lies around the row, or
   left strokes too few pixels). Of the two looks, the one whose characters are worth more
   wins: each counts by how far the judge's confidence in it stands above 0.7, so that a
   character read less surely (a scrap of the surroundings, a frame side) counts against its
   look, and a tie keeps the first. A colour plate still read unsurely (or with fewer than
   three characters, or with a hole in its row however surely it is read: two neighbours more
   than 2.2 times the row's usual distance apart, characters lost between them) is then
   segmented again in grey instead of its contrast channel (step 1 and, if unsure, a second
   look at its row), and the channel whose look is worth more wins.
   A plate still read unsurely may be a loose crop, in surroundings that glued themselves to
   its characters, stood at the row's ends like "1"s or took the threshold: the rows and
   columns around it that are neither of the plate's colours (:func:`surrounding_margins`)
   are left out and what is inside is segmented again (with its own look at the row), the
   look worth more winning. Whether looked inside or not, a plate in such surroundings loses
   the thin bars at the ends of its row that stand outside them: their edges, read as "1"s.

Everything is vectorised over pixels; the Python loops run over the few dozen components.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from platedigits._cv import cv2
from platedigits.preprocess import to_gray

Box = tuple[int, int, int, int]
"""A character's box in the plate image: ``(x, y, width, height)`` in pixels."""

#: Plates are segmented at a height between these (pixels); the boxes are mapped back.
_MIN_WORK_HEIGHT = 48
_MAX_WORK_HEIGHT = 96
#: A plate rotated by less than this (degrees) is segmented as it is.
_DESKEW_MIN_DEGREES = 1.0


@dataclass(frozen=True)
class PlateSegmentation:
    """The characters found on a plate.

    Attributes
    ----------
    boxes : list of tuple of int
        ``(x, y, w, h)`` of each character in the input image, left to right.
    masks : list of numpy.ndarray
        One ``(h_i, w_i)`` ``uint8`` mask per box (character 255 on 0), tightly cropped at the
        working scale: only the pixels of the components taken for that character.
    binary : numpy.ndarray
        ``(H', W')`` ``uint8``: the binarized, straightened plate at the working scale (inside any
        flat padding :func:`flat_margins` cut off; of the row cropped out, or of the plate inside
        its surroundings, when such a further look won).
    angle : float
        The rotation that was undone, in degrees (counter-clockwise positive).
    dark_text : bool
        Whether the text was taken to be darker than the plate.
    """

    boxes: list[Box] = field(default_factory=list)
    masks: list[np.ndarray] = field(default_factory=list)
    binary: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.uint8))
    angle: float = 0.0
    dark_text: bool = False


@dataclass(slots=True)
class _Group:
    """Some components taken together as one character candidate (working coordinates)."""

    x0: int
    y0: int
    x1: int  # exclusive
    y1: int  # exclusive
    labels: list[int]
    area: int
    col_range: tuple[int, int] | None = None  # restricts the mask after a split

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    def region(self, window: np.ndarray) -> np.ndarray:
        """Where a window of the label image holds this group's labels: bool, same shape."""
        if len(self.labels) == 1:
            return window == self.labels[0]
        # A lookup table: np.isin sorts, several times slower on windows this small.
        top = int(window.max(initial=0))
        table = np.zeros(top + 1, bool)
        table[[label for label in self.labels if label <= top]] = True
        return table[window]

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    def union_size(self, other: _Group) -> tuple[int, int]:
        """Width and height of :meth:`union` (without building it: asked of most neighbours,
        taken for few)."""
        return (
            max(self.x1, other.x1) - min(self.x0, other.x0),
            max(self.y1, other.y1) - min(self.y0, other.y0),
        )

    def union(self, other: _Group) -> _Group:
        return _Group(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
            self.labels + other.labels,
            self.area + other.area,
        )


def _median(values: Sequence[float] | np.ndarray) -> float:
    """Median of a few numbers (np.median's overhead dominates on the lists used here)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()  # Python numbers convert faster than NumPy scalars
    ordered = sorted(float(v) for v in values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else 0.5 * (ordered[n // 2 - 1] + ordered[n // 2])


def _percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, 100 * q)`` of an integer array, to the bit (its linear
    interpolation, without its overhead: a twentieth of the time on a plate's rows)."""
    ordered = np.sort(values)
    n = len(ordered)
    index = (n - 1) * q
    low = int(index // 1)
    if index >= n - 1:
        return float(ordered[-1])
    a, b = int(ordered[low]), int(ordered[low + 1])
    fraction = index - low
    # NumPy interpolates from the nearer end.
    return b - (b - a) * (1 - fraction) if fraction >= 0.5 else a + (b - a) * fraction


def _working_scale(height: int) -> float:
    if height < _MIN_WORK_HEIGHT:
        return min(4.0, _MIN_WORK_HEIGHT / height)
    if height > _MAX_WORK_HEIGHT:
        return _MAX_WORK_HEIGHT / height
    return 1.0


def _erase_long_lines(binary: np.ndarray) -> np.ndarray:
    """Remove horizontal runs much longer than a character is wide (frame, strips)."""
    h = binary.shape[0]
    length = max(5, int(1.5 * h))
    if length >= binary.shape[1]:
        return binary
    lines = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    return cv2.subtract(binary, lines)


def _text_line(stats: np.ndarray, height: int) -> np.ndarray:
    """Indices (into ``stats``) of the components that form the main line of characters.

    Parameters
    ----------
    stats : numpy.ndarray
        ``(n, 5)`` ``int32`` OpenCV component stats without the background row.
    height : int
        Height of the binary image.

    Returns
    -------
    numpy.ndarray
        ``(k,)`` ``int64`` indices; empty when no line of at least two characters is found.
    """
    _x, y, w, h = (stats[:, i].astype(np.float64) for i in range(4))
    tall = np.flatnonzero((h >= 0.25 * height) & (w >= 1) & (w <= 8 * h) & (w * h >= 12))
    if len(tall) < 2:
        return tall if len(tall) == 1 else np.zeros(0, np.int64)
    th, ty = h[tall], y[tall]
    similar = np.abs(th[:, None] - th[None, :]) <= 0.2 * np.maximum(th[:, None], th[None, :])
    overlap = np.minimum(ty[:, None] + th[:, None], ty[None, :] + th[None, :]) - np.maximum(
        ty[:, None], ty[None, :]
    )
    together = similar & (overlap >= 0.6 * np.minimum(th[:, None], th[None, :]))
    # The line is the component with most look-alikes, ties going to the taller (the plate's
    # main characters are its biggest text).
    support = together.sum(axis=1) + th / (2.0 * height)
    best = int(np.argmax(support))
    return tall[together[best]]


def _line_geometry(stats: np.ndarray, line: np.ndarray) -> tuple[float, float, float]:
    """Slope of the line of character centres, reference height and the line's mid-height."""
    x = stats[line, 0] + stats[line, 2] / 2.0
    yc = stats[line, 1] + stats[line, 3] / 2.0
    href = _median(stats[line, 3])
    slope = 0.0
    if len(line) >= 3 and np.ptp(x) > 0:
        # Least-squares slope of the centres (np.polyfit's answer, without its overhead).
        dx = x - x.mean()
        slope = float(np.dot(dx, yc - yc.mean()) / np.dot(dx, dx))
    return slope, href, _median(yc - slope * x)


def _groups(
    labels_stats: np.ndarray, slope: float, href: float, mid: float, width: int
) -> list[_Group]:
    """Character candidates from components near the text line, left to right."""
    stats = labels_stats
    x, y, w, h, area = (stats[:, i].astype(np.float64) for i in range(5))
    centre = mid + slope * (x + w / 2.0)
    inside = np.minimum(centre + 0.65 * href, y + h) - np.maximum(centre - 0.65 * href, y)
    near = np.flatnonzero((inside >= 0.6 * h) & (h <= 1.6 * href) & (area >= 2))
    # Plain ints from here on: the loops below look at each group many times.
    groups = [
        _Group(gx, gy, gx + gw, gy + gh, [i + 1], ga)
        for i, (gx, gy, gw, gh, ga) in zip(near.tolist(), stats[near, :5].tolist(), strict=True)
    ]
    groups.sort(key=lambda g: g.x0)

    def off_row(g: _Group) -> bool:
        # A small blob mostly above the row's top line or below its bottom line: a rivet, a
        # screw or a dot of dirt next to a character, never a part of one.
        c = mid + slope * (g.x0 + g.x1) / 2.0
        inside_row = min(g.y1, c + 0.5 * href) - max(g.y0, c - 0.5 * href)
        return g.h < 0.35 * href and inside_row < 0.5 * g.h

    # Parts of one character overlap horizontally (a broken stroke, the dot over 京's roof).
    merged: list[_Group] = []
    last_off = False  # off_row(merged[-1]), kept along (asked of every neighbour)
    for g in groups:
        g_off = off_row(g)
        if merged:
            last = merged[-1]
            overlap = min(last.x1, g.x1) - max(last.x0, g.x0)
            if g_off or last_off:
                merged.append(g)
                last_off = g_off
                continue
            # The parts of one character span about a character's width; a chain wider than
            # that is several characters, bridged by small blobs that overlap two of them (a
            # blurred rivet, a dot, a smudge) or leaning into each other's columns.
            if overlap >= 0.5 * min(last.w, g.w):
                union_w, union_h = last.union_size(g)
                if union_h <= 1.2 * href and union_w <= 1.4 * href:
                    merged[-1] = last.union(g)
                    last_off = off_row(merged[-1])
                    continue
        merged.append(g)
        last_off = g_off
    return merged


def _char_width(groups: list[_Group], href: float) -> float:
    widths = [g.w for g in groups if g.h >= 0.75 * href and 0.35 * href <= g.w <= 1.0 * href]
    return _median(widths) if widths else 0.55 * href


def _merge_strokes(groups: list[_Group], href: float, wref: float) -> list[_Group]:
    """Join runs of narrow, close, unequal strokes into one symbol (川, 小, ...).

    Runs of "1"s are left alone: their strokes have the same height and the pitch of a
    character apart, while a many-stroke symbol has strokes of different heights packed into
    one character cell.
    """
    out: list[_Group] = []
    i = 0
    while i < len(groups):
        j = i + 1
        if groups[i].w < 0.55 * wref:
            while (
                j < len(groups)
                and groups[j].w < 0.55 * wref
                and groups[j].x0 - groups[j - 1].x1 <= 0.45 * wref
                and max(g.x1 for g in groups[i : j + 1]) - groups[i].x0 <= 1.15 * wref
            ):
                j += 1
        run = groups[i:j]
        heights = [g.h for g in run]
        bottoms = [g.y1 for g in run]
        unequal = (max(heights) - min(heights) >= 0.1 * href) or (
            max(bottoms) - min(bottoms) >= 0.1 * href
        )
        thin = all(g.w < 0.45 * wref for g in run)
        if len(run) >= 2 and (unequal or (len(run) >= 3 and thin)):
            joined = run[0]
            for g in run[1:]:
                joined = joined.union(g)
            out.append(joined)
            i = j
        else:
            out.append(groups[i])
            i += 1
    return out


def _merge_close_strokes(groups: list[_Group], href: float, wref: float) -> list[_Group]:
    """Join narrow pieces that stand much closer together than the characters of the line do
    and together fit in one character's width: the strokes of one symbol (川, a broken "H").

    Characters of a row are spaced alike, so a gap far below the row's usual gap between
    characters lies inside a character. Two "1"s keep a normal gap between them.
    """
    tall = [g for g in groups if g.h >= 0.55 * href]
    # The usual gap is taken between characters of full width, which are surely apart.
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(tall) if min(a.w, b.w) >= 0.55 * wref]
    if len(gaps) < 2:
        return groups
    usual = _median(gaps)
    out: list[_Group] = []
    for g in groups:
        if out:
            last = out[-1]
            union_w, union_h = last.union_size(g)
            if (
                min(last.h, g.h) >= 0.55 * href
                and max(last.w, g.w) < 0.7 * wref
                and g.x0 - last.x1 <= min(0.6 * usual, 0.15 * href)
                and union_w <= max(1.1 * wref, 0.9 * href)
                and union_h <= 1.2 * href
            ):
                out[-1] = last.union(g)
                continue
        out.append(g)
    return out


def _merge_radicals(
    groups: list[_Group], href: float, wref: float, *, pitch: float = 0.0
) -> list[_Group]:
    """Join two parts into one square symbol (a radical and the rest of a Chinese character,
    such as 氵 and 京).

    The two touch or nearly, are of unequal height or do not share their top, and together are
    about square and no wider than a character is tall; two characters side by side leave a gap
    and share top and height, and together span more than one ``pitch`` (the row's distance
    between neighbouring characters' centres; 0 when unknown).
    """
    out: list[_Group] = []
    for g in groups:
        if out:
            last = out[-1]
            gap = g.x0 - last.x1
            union_w, union_h = last.union_size(g)
            # Halves of one blob cut by the split need less evidence than separate parts.
            halves = last.col_range is not None and g.col_range is not None
            limit = 0.1 if halves else 0.15
            unequal = abs(last.h - g.h) >= limit * href or abs(last.y0 - g.y0) >= limit * href
            widest = 1.35 * href
            if pitch > 0 and not halves and min(last.h, g.h) >= 0.75 * href and gap >= 1:
                # A symbol fills one cell of the row: two tall parts standing apart and
                # spanning much more than the row's pitch are two characters (a province
                # symbol and the letter after it). Parts that overlap in columns may be a
                # frame's corner over a character, left to the later steps.
                widest = min(widest, 1.3 * pitch)
            if (
                gap <= 0.06 * href
                and min(last.h, g.h) >= 0.5 * href  # not a hyphen or a dot next to a letter
                and union_w <= widest
                and union_w >= 0.75 * union_h
                and unequal
            ):
                out[-1] = last.union(g)
                continue
        out.append(g)
    return out


def _cut_low_ends(g: _Group, labels: np.ndarray, wref: float) -> list[_Group]:
    """``g`` with a hyphen or a dot glued to either end cut off as a part of its own.

    Only a blob wider than a character is looked at. What sticks out at an end with no
    column reaching half the blob's height, at least a quarter of a character wide and
    standing about the middle of the row, is cut off when a character's width is left; the
    low ends of a character itself (the foot of an "L", the bar of a "7") lie at its top or
    bottom and keep the blob whole. Returns ``[g]`` when nothing is cut.
    """
    if g.w <= 1.3 * wref:
        return [g]
    x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
    region = labels[g.y0 : g.y1, x0:x1] == g.labels[0]
    rows = np.arange(region.shape[0])[:, None]
    top = np.where(region, rows, region.shape[0]).min(axis=0)
    bottom = np.where(region, rows, -1).max(axis=0)
    tall = np.flatnonzero(bottom - top + 1 >= 0.45 * g.h)
    if len(tall) == 0:
        return [g]
    n = x1 - x0
    a = int(tall[0]) if tall[0] >= 0.25 * wref else 0
    b = int(tall[-1]) + 1 if n - tall[-1] - 1 >= 0.25 * wref else n
    if (a == 0 and b == n) or b - a < 0.6 * wref:
        return [g]
    parts = []
    for c0, c1 in ((0, a), (a, b), (b, n)):
        part = region[:, c0:c1]
        used = np.flatnonzero(part.any(axis=1))
        if c1 <= c0 or len(used) == 0:
            continue
        middle = (used[0] + used[-1] + 1) / 2.0 / g.h
        if (c0, c1) != (a, b) and not 0.3 <= middle <= 0.7:
            return [g]
        parts.append(_columns_of(g, region, x0, c0, c1, used))
    return parts


def _columns_of(g: _Group, region: np.ndarray, x0: int, a: int, b: int, rows: np.ndarray) -> _Group:
    """Columns ``a:b`` of ``region`` (``g``'s pixels from column ``x0``) as a group of
    their own, ``rows`` being the rows they ink."""
    return _Group(
        x0 + a,
        g.y0 + int(rows[0]),
        x0 + b,
        g.y0 + int(rows[-1]) + 1,
        g.labels,
        int(region[:, a:b].sum()),
        col_range=(x0 + a, x0 + b),
    )


def _split_wide(
    groups: list[_Group], binary: np.ndarray, labels: np.ndarray, wref: float
) -> list[_Group]:
    """Cut blobs as wide as two or more characters at the valleys of their column profile.

    First, what sticks out at either end of a blob wider than a character without reaching
    a character's height (a hyphen or a dot glued to the letter beside it) is cut off.
    """
    out: list[_Group] = []
    pieces: list[_Group] = []
    for g in groups:
        pieces.extend(_cut_low_ends(g, labels, wref) if len(g.labels) == 1 else [g])
    for g in pieces:
        if g.w <= 1.5 * wref or len(g.labels) > 1:
            out.append(g)
            continue
        n = max(2, round(g.w / (1.12 * wref)))
        region = labels[g.y0 : g.y1, g.x0 : g.x1] == g.labels[0]
        profile = region.sum(axis=0).astype(np.float64)
        cuts = [0]
        step = g.w / n
        for k in range(1, n):
            lo = max(cuts[-1] + 1, int(k * step - 0.3 * step))
            hi = min(g.w - 1, int(k * step + 0.3 * step) + 1)
            if hi <= lo:
                continue
            window = profile[lo:hi]
            # The deepest valley, preferring the expected position on ties.
            centre_pull = np.abs(np.arange(lo, hi) - k * step) / step * 0.5
            cuts.append(lo + int(np.argmin(window + centre_pull)))
        cuts.append(g.w)
        for a, b in itertools.pairwise(cuts):
            part = region[:, a:b]
            rows = np.flatnonzero(part.any(axis=1))
            if b - a < 2 or len(rows) == 0:
                continue
            out.append(
                _Group(
                    g.x0 + a,
                    g.y0 + int(rows[0]),
                    g.x0 + b,
                    g.y0 + int(rows[-1]) + 1,
                    g.labels,
                    int(part.sum()),
                    col_range=(g.x0 + a, g.x0 + b),
                )
            )
    return out


def _drop_overlapping_parts(groups: list[_Group], href: float) -> list[_Group]:
    """Drop the parts of a split blob that lie over or under another character.

    A blob wider than a character is cut where characters would stand side by side; when
    one of its parts shares most of its columns with a separate tall piece, the blob ran
    along the characters instead (a frame line or corner under the row), and the part is
    no character of its own. Parts too low for a character are left to the size test.
    """
    # Pieces shaped like whole characters, as the character width is measured on.
    tall = [
        g
        for g in groups
        if g.col_range is None and g.h >= 0.75 * href and 0.35 * href <= g.w <= 1.0 * href
    ]
    if not tall or all(g.col_range is None for g in groups):
        return groups
    out = []
    for g in groups:
        if (
            g.col_range is not None
            and g.h >= 0.55 * href
            and any(min(g.x1, t.x1) - max(g.x0, t.x0) >= 0.6 * g.w for t in tall)
        ):
            continue
        out.append(g)
    return out


def _drop_off_row(groups: list[_Group]) -> list[_Group]:
    """Drop pieces covering less than 60% of the row's height (between the usual top and the
    usual bottom of its characters): the characters of a plate share their top and bottom
    lines, while a dot joined to a bit of the frame hangs from above and stops short."""
    if len(groups) < 4:
        return groups
    top = _median([g.y0 for g in groups])
    bottom = _median([g.y1 for g in groups])
    need = 0.6 * (bottom - top)
    return [g for g in groups if min(g.y1, bottom) - max(g.y0, top) >= need]


def _faint_first(
    groups: list[_Group],
    labels: np.ndarray,
    straightened: Callable[[], np.ndarray],
    *,
    dark: bool,
) -> tuple[list[_Group], np.ndarray]:
    """Find a faint character in the empty cell one pitch before the row's first character.

    Paint worn off or a dirty plate leaves a character much fainter than the others, and the
    plate-wide threshold loses it; thresholded on its own cell, it stands out again. It is
    taken only when it is about as tall and wide as the row's characters. ``straightened()``
    gives the ``(H, W)`` ``uint8`` grey plate in the groups' coordinates (made only when a
    cell is to be looked at).
    """
    if len(groups) < 4:
        return groups, labels
    pitch, gap = _pitch(groups)
    if pitch <= 0:
        return groups, labels
    top = round(_median([g.y0 for g in groups]))
    bottom = round(_median([g.y1 for g in groups]))
    height = bottom - top
    width = _median([g.w for g in groups])
    first = groups[0]
    x1 = first.x0 - max(1, int(0.5 * gap))
    x0 = round(first.x0 + first.x1 - 2 * pitch - width) // 2
    pad = max(1, int(0.1 * height))
    if x0 < 0 or x1 - x0 < 0.5 * width or top - pad < 0 or bottom + pad > labels.shape[0]:
        return groups, labels
    cell = straightened()[top - pad : bottom + pad, x0:x1]
    if dark:
        cell = 255 - cell
    _, ink = cv2.threshold(cell, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # A frame line or the plate's border across the cell's top or bottom is far stronger than
    # a faint character and takes the threshold: what lies beyond the innermost such line
    # near either edge is left out, and the rest thresholded again.
    full = np.flatnonzero(np.count_nonzero(ink, axis=1) >= 0.8 * ink.shape[1])
    edge = 2 * pad
    a = int(full[full < edge].max()) + 1 if np.any(full < edge) else 0
    b = int(full[full >= len(ink) - edge].min()) if np.any(full >= len(ink) - edge) else len(ink)
    if (a > 0 or b < len(ink)) and b - a >= 0.8 * height:
        ink = np.zeros_like(ink)
        _, ink[a:b] = cv2.threshold(cell[a:b], 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    inside, outside = cell[a:b][ink[a:b] > 0], cell[a:b][ink[a:b] == 0]
    # The cell must hold real contrast, not noise the threshold cut in two.
    if len(inside) == 0 or len(outside) == 0 or float(inside.mean() - outside.mean()) < 15:
        return groups, labels
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    h = rows[-1] - rows[0] + 1
    w = cols[-1] - cols[0] + 1
    fill = np.count_nonzero(ink) / float(h * w)
    if fill > 0.7 and len(inside) >= 2:
        # Blur fills the gaps between the strokes of a faint many-stroke symbol with
        # half-tones above the plate's: the strokes are the brighter part of that ink.
        # A smooth patch has no such brighter part that stands out.
        again, _ = cv2.threshold(inside.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        # An even patch has one level: Otsu puts all of it on one side (no stroke part).
        strokes, rest = inside[inside > again], inside[inside <= again]
        if len(strokes) == 0 or len(rest) == 0 or float(strokes.mean() - rest.mean()) < 15:
            return groups, labels
        ink = np.where((ink > 0) & (cell > again), 255, 0).astype(np.uint8)
        rows = np.flatnonzero(ink.any(axis=1))
        cols = np.flatnonzero(ink.any(axis=0))
        if len(rows) == 0:
            return groups, labels
        h = rows[-1] - rows[0] + 1
        w = cols[-1] - cols[0] + 1
        fill = np.count_nonzero(ink) / float(h * w)
    if not (0.8 * height <= h <= 1.15 * height and 0.5 * width <= w <= 1.5 * width):
        return groups, labels
    if not 0.15 <= fill <= 0.7:
        return groups, labels  # a smudge or a solid patch
    if np.count_nonzero(ink[:, 0]) > 0.6 * h:
        return groups, labels  # a frame side or the plate's edge along the cell's side
    new = int(labels.max()) + 1
    labels = labels.copy()
    window = labels[top - pad : bottom + pad, x0:x1]
    # The cell's ink may be a piece the plate-wide steps dropped (a character taken for the
    # frame at the image's edge): only the kept characters keep their pixels.
    kept = [label for g in groups for label in g.labels]
    window[(ink > 0) & ~np.isin(window, kept)] = new
    g = _Group(
        x0 + int(cols[0]),
        top - pad + int(rows[0]),
        x0 + int(cols[-1]) + 1,
        top - pad + int(rows[-1]) + 1,
        [new],
        int(np.count_nonzero(ink)),
    )
    return [g, *groups], labels


def _keep(g: _Group, href: float, wref: float) -> bool:
    if g.h < 0.55 * href or g.h > 1.35 * href:
        return False  # the dot, rivets, small text; frame edges and colour bands
    if g.w < 0.06 * href:
        return False
    fill = g.area / float(g.w * g.h)
    if fill < 0.08:
        return False  # a frame corner or an outline around nothing
    if fill > 0.88 and g.w > 0.45 * href:
        return False  # a solid sticker or the end of a colour band
    if g.w < 0.25 * wref and g.h > 1.15 * href:
        return False  # the plate's vertical edge
    return not (g.w > 2.2 * wref)


def _too_wide(g: _Group, href: float, wref: float) -> bool:
    """Whether :func:`_keep` drops ``g`` only for being wider than a character or two."""
    return g.w > 2.2 * wref and _keep(replace(g, x1=g.x0 + int(2.2 * wref)), href, wref)


def _text_band(binary: np.ndarray) -> tuple[int, int] | None:
    """Rows ``[top, bottom)`` of the plate's main text, from the strokes crossed per row.

    A row through a line of characters crosses two or more strokes per character; a row along
    the frame, a dealer strip or the plate's edge crosses few, and a line of small text (a state
    name, a slogan) is separated from the main text by such rows. The band is the longest run
    of rows crossing at least a third as many strokes as the busiest rows do.
    """
    ink = binary > 0
    crossings = np.count_nonzero(ink[:, 1:] & ~ink[:, :-1], axis=1)
    peak = _percentile(crossings, 0.9)
    if peak < 4:
        return None
    busy = crossings >= max(2.0, peak / 3.0)
    # Close one-row gaps (a thin horizontal stroke crossing the band).
    busy[1:-1] |= busy[:-2] & busy[2:]
    edges = np.flatnonzero(np.diff(np.r_[0, busy.astype(np.int8), 0]))
    starts, stops = edges[::2], edges[1::2]
    if len(starts) == 0:
        return None
    k = int(np.argmax(stops - starts))
    return int(starts[k]), int(stops[k])


def _clear_outside_band(binary: np.ndarray) -> np.ndarray:
    """Blank the rows above and below the text band (frame lines, small text, a plate edge)."""
    band = _text_band(binary)
    h = binary.shape[0]
    if band is None or band[1] - band[0] < 0.3 * h:
        return binary
    pad = max(1, round(0.04 * h))
    top, bottom = max(0, band[0] - pad), min(h, band[1] + pad)
    if top == 0 and bottom == h:
        return binary
    out = binary.copy()
    out[:top] = 0
    out[bottom:] = 0
    return out


def _erase_runs(binary: np.ndarray, length: int) -> np.ndarray:
    """Remove horizontal runs of at least ``length`` pixels."""
    if length >= binary.shape[1]:
        return binary
    lines = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    if not lines.any():
        return binary
    return cv2.subtract(binary, lines)


def _stroke_runs_at_ends(groups: list[_Group], href: float) -> set[int]:
    """Ids of the bars of a many-stroke symbol (川) at either end of the line: three or more
    thin bars packed into one character's width. A frame side next to a "1" makes two bars,
    and two "1"s stand a character's pitch apart, wider than this."""
    found: set[int] = set()
    for run in (groups, groups[::-1]):
        k = 0
        while k < len(run) and run[k].w < 0.2 * href:
            k += 1
        bars = run[:k]
        if len(bars) < 3:
            continue
        span = max(g.x1 for g in bars) - min(g.x0 for g in bars)
        if span <= 0.65 * href:
            found |= {id(g) for g in bars}
    return found


def _drop_edge_bars(
    groups: list[_Group],
    href: float,
    original: np.ndarray,
    *,
    raw: bool = False,
    joined: bool = True,
    labels: np.ndarray | None = None,
) -> list[_Group]:
    """Drop the plate's vertical edges and frame sides from both ends of the line.

    They look like a "1" but are not part of the line of characters: a frame side starts above
    the characters' tops or ends below their bottoms, or it runs on past both ends of the text
    band in ``original`` (the binary before the band was cut out), while a character of the line
    shares its top and bottom with the others and stops there.

    With ``raw`` the groups are the unfiltered candidates (dots and rivets among them): only tall
    bars are dropped, looking past small blobs at the ends, so that a frame side is gone before
    it can be joined to the "1" beside it as the stroke of a symbol.

    ``labels`` (the ``(H, W)`` ``int32`` label image the groups were taken from) lets a frame
    side leaning by perspective be told apart: wider than a bar, but one thin straight slanted
    stroke running into the frame's lines above and below.
    """
    if raw:
        tall = [g for g in groups if g.h >= 0.55 * href]
        if len(tall) < 3:
            return groups
        symbol = _stroke_runs_at_ends(tall, href)
        rest = [g for g in tall if id(g) not in symbol]
        kept = {id(g) for g in _drop_edge_bars(rest, href, original, joined=False, labels=labels)}
        return [g for g in groups if id(g) in kept or id(g) in symbol or g.h < 0.55 * href]
    if len(groups) < 3:
        return groups
    tops = _median([g.y0 for g in groups])
    bottoms = _median([g.y1 for g in groups])
    tolerance = 0.07 * (bottoms - tops)
    h, w = original.shape
    pitch, usual_gap = _pitch(groups[1:-1])
    # Within this of the image's edge a piece counts as cut by it (blur and resampling leave
    # a pixel or two of plate beside the border).
    edge = max(1.0, 0.1 * href)

    def bar(g: _Group, neighbour: _Group) -> bool:
        if g.w < 0.7 * href and (g.x0 <= edge or g.x1 >= w - edge) and border(g):
            return True
        if g.w >= 0.3 * href:
            # A wide piece in its cell of the row is a character with serifs (a "1" with
            # a foot); off the row's pitch, only its stroke across the middle is judged.
            distance = abs((g.x0 + g.x1) - (neighbour.x0 + neighbour.x1)) / 2.0
            in_cell = pitch > 0 and 0.8 * pitch <= distance <= 1.5 * pitch
            side = None if in_cell else stem(g)
            if side is None:
                return g.w < 0.7 * href and leaning_side(g)
            g = side
        if g.y0 < tops - tolerance or g.y1 > bottoms + tolerance:
            return True
        if g.w < 0.25 * href and (g.x0 <= 1 or g.x1 >= w - 1):
            return True  # a thin bar cut by the image's edge: the plate's border
        if pitch > 0:
            # Characters stand at the row's pitch, a frame side hugs the last character (a
            # narrow neighbour may be the rest of a many-stroke symbol instead).
            gap = max(neighbour.x0 - g.x1, g.x0 - neighbour.x1)
            distance = abs((g.x0 + g.x1) - (neighbour.x0 + neighbour.x1)) / 2.0
            if joined and neighbour.w >= 0.45 * href and distance < 0.7 * pitch and gap <= 0:
                return True
            full = g.y0 <= tops + tolerance and g.y1 >= bottoms - tolerance
            if (
                full
                and g.w >= 0.09 * href  # a "1" has a stroke's width, a frame line less
                and 0.1 * href < g.x0 < g.x1 < w - 0.1 * href  # the border lies at the edge
                and 0.8 * pitch <= distance <= 1.5 * pitch
                and gap >= 0.5 * usual_gap
            ):
                # In its cell and as tall as the row: a "1", even close to the image's edge,
                # unless it runs on past the band on both sides.
                return runs_on(g, edge_counts=False)
        margin = 0.25 * href
        if g.w < 0.18 * href and (g.x0 <= margin or g.x1 >= w - margin):
            return True  # thinner than any "1", right by the image's edge
        return runs_on(g)

    def runs_on(g: _Group, *, edge_counts: bool = True) -> bool:
        """Whether the piece runs on past both its ends in ``original``: inked beyond them,
        cut by the image's edge, or ending in a frame line (erased from the groups, so a frame
        corner stops at the line: its last row is part of a run that reaches well past the
        piece's columns, as no character's own stroke does). With ``edge_counts`` false, being
        cut by the image's edge is not enough (a "1" in its cell may touch the edge)."""

        def meets_line(row: int) -> bool:
            inked = original[row] > 0
            piece = inked[g.x0 : g.x1]
            if not piece.any():
                return False
            # The first and last inked columns (argmax finds the first True: a third of
            # flatnonzero's time on rows this short).
            left = g.x0 + int(piece.argmax())
            right = g.x0 + len(piece) - 1 - int(piece[::-1].argmax())
            # The runs of ink these columns belong to run on to the nearest blank ones (a
            # frame line may run across the whole row: not looked at pixel by pixel).
            before = ~inked[:left]
            left = left - int(before[::-1].argmax()) if before.any() else 0
            after = ~inked[right + 1 :]
            right = right + int(after.argmax()) if after.any() else w - 1
            reach = 0.3 * href
            return left <= g.x0 - reach or right >= g.x1 - 1 + reach

        above = (g.y0 == 0 and edge_counts) or meets_line(g.y0)
        above = above or (g.y0 > 0 and bool(original[g.y0 - 1, g.x0 : g.x1].any()))
        below = (g.y1 >= h and edge_counts) or meets_line(g.y1 - 1)
        below = below or (g.y1 < h and bool(original[g.y1, g.x0 : g.x1].any()))
        return above and below

    def stem(g: _Group) -> _Group | None:
        """The piece's columns across the row's middle when they are one thin stroke: a
        frame corner (a side with a stub of the frame's top or bottom line) is a bar there."""
        if labels is None:
            return None
        x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
        core = labels[
            round(tops + 0.2 * (bottoms - tops)) : round(bottoms - 0.2 * (bottoms - tops)), x0:x1
        ]
        region = g.region(core)
        cols = np.flatnonzero(np.asarray(region.any(axis=0), bool))
        if len(cols) == 0 or cols[-1] - cols[0] + 1 >= 0.2 * href:
            return None
        return _Group(x0 + int(cols[0]), g.y0, x0 + int(cols[-1]) + 1, g.y1, g.labels, g.area)

    def leaning_side(g: _Group) -> bool:
        """A frame side leaning by perspective: one thin straight stroke across the piece,
        slanted and running into the frame's lines above and below (a slanted "1" or "7"
        of the row stops at the row's top and bottom, wherever it stands)."""
        if labels is None or g.area > 0.3 * href * g.h:
            return False  # more ink than one thin stroke across the piece holds
        if not runs_on(g):
            return False
        x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
        window = labels[g.y0 : g.y1, x0:x1]
        region = g.region(window)
        counts = region.sum(axis=1)
        rows = np.flatnonzero(counts)
        if len(rows) < 0.8 * g.h or len(rows) < 6:
            return False
        inner = rows[len(rows) // 10 : len(rows) - len(rows) // 10]
        if _median(counts[inner]) >= 0.2 * href:
            return False
        cols = np.arange(region.shape[1], dtype=np.float64)
        centres = (region[inner] * cols).sum(axis=1) / counts[inner]
        dy = inner - inner.mean()
        lean = float(np.dot(dy, centres - centres.mean()) / max(1.0, float(np.dot(dy, dy))))
        residual = centres - centres.mean() - lean * dy
        # Slanted (an upright bar is left to the tests above) and straight (not a curve).
        return abs(lean) >= 0.1 and float(np.abs(residual).max()) <= 0.1 * href

    def border(g: _Group) -> bool:
        """A frame side or the plate's border at the image's edge, its corners curving in:
        its only full-height columns are a thin stroke on the image's side."""
        window = original[g.y0 : g.y1, g.x0 : g.x1] > 0
        columns = window.sum(axis=0)
        dense = np.flatnonzero(columns >= 0.7 * window.shape[0])
        if len(dense) == 0 or len(dense) >= 0.25 * href:
            return False
        if columns.sum() - columns[dense].sum() > 0.6 * columns[dense].sum():
            return False  # more than corners beside the stroke: a character cut by the edge
        if g.x0 <= edge:
            return bool(dense[-1] < 0.5 * g.w)
        return bool(dense[0] >= 0.5 * g.w)

    while len(groups) >= 3 and bar(groups[0], groups[1]):
        groups = groups[1:]
    while len(groups) >= 3 and bar(groups[-1], groups[-2]):
        groups = groups[:-1]
    return groups


def _detach_sides(
    groups: list[_Group], href: float, original: np.ndarray, labels: np.ndarray
) -> list[_Group]:
    """Cut a frame side or the plate's border off the character it is glued to, at either end
    of the row.

    Blur glues a character to the frame beside it, often only through a bit of the frame's
    top or bottom line, so the character's box takes the frame side in. The side is a thin
    stroke on the piece's outer side whose columns are inked in ``original`` (the binary
    before the band was cut out) from above the row's top to below its bottom, as no
    character of the row is; the character is what stands inward of a column left empty
    across the middle of the row, and it must fill most of the middle rows (the flag and
    foot of a "1" whose stroke touches the frame lines above and below do not).
    """
    if len(groups) < 3:
        return groups
    top = round(_median([g.y0 for g in groups]))
    bottom = round(_median([g.y1 for g in groups]))
    rows = bottom - top
    reach = max(2, round(0.1 * href))
    h = original.shape[0]
    core = slice(top + round(0.2 * rows), bottom - round(0.2 * rows))
    out = list(groups)
    for end in (0, len(out) - 1):
        g = out[end]
        x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
        span = original[max(0, top - reach) : min(h, bottom + reach), x0:x1] > 0
        outer = span[:, :3] if end == 0 else span[:, -3:]
        if not (outer.mean(axis=0) >= 0.95).any():
            continue  # no side at the outer edge (most pieces): the labels need no look
        full = np.asarray(span.mean(axis=0) >= 0.95, bool)
        window = labels[:, x0:x1]
        region = g.region(window)
        middle = np.asarray(region[core].any(axis=0), bool)
        # The side: full columns from the piece's outer edge inward (a pixel of plate may lie
        # outside it), then a gap of columns empty across the middle, then the character.
        cols = list(range(x1 - x0)) if end == 0 else list(range(x1 - x0 - 1, -1, -1))
        k = 0
        while k < len(cols) and not full[cols[k]] and k < 2:
            k += 1
        start = k
        while k < len(cols) and full[cols[k]]:
            k += 1
        if k == start or k - start > 0.2 * href:
            continue
        while k < len(cols) and middle[cols[k]] and k - start <= 0.3 * href:
            k += 1  # the side's own width in the middle rows, where it is not full
        if k >= len(cols) or middle[cols[k]]:
            continue
        while k < len(cols) and not middle[cols[k]]:
            k += 1
        if k >= len(cols):
            continue
        a, b = (x0 + cols[k], x1) if end == 0 else (x0, x0 + cols[k] + 1)
        part = region[:, a - x0 : b - x0]
        inked = np.flatnonzero(part.any(axis=1))
        if len(inked) == 0 or part[core].any(axis=1).mean() < 0.6:
            continue
        cut = part[inked[0] : inked[-1] + 1]
        used = np.flatnonzero(cut.any(axis=0))
        out[end] = _Group(
            a + int(used[0]),
            int(inked[0]),
            a + int(used[-1]) + 1,
            int(inked[-1]) + 1,
            g.labels,
            int(cut.sum()),
            col_range=(a + int(used[0]), a + int(used[-1]) + 1),
        )
    return out


def _trim_knobs(groups: list[_Group], labels: np.ndarray) -> list[_Group]:
    """Cut off what a character carries above the row's top or below its bottom when it is
    narrow: a rivet or a dot glued on by blur (the characters of a row share their top and
    bottom lines, and a knob beyond them is no part of the character)."""
    if len(groups) < 3:
        return groups
    top = _median([g.y0 for g in groups])
    bottom = _median([g.y1 for g in groups])
    tolerance = max(1.0, 0.07 * (bottom - top))
    out = []
    for g in groups:
        y0, y1 = g.y0, g.y1
        if y0 < top - tolerance or y1 > bottom + tolerance:
            x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
            window = labels[g.y0 : g.y1, x0:x1]
            region = g.region(window)
            widths = np.count_nonzero(region, axis=1)
            # Cut at the row's own lines: a character's top or bottom stroke reaching past
            # them is wide, and keeps the piece whole.
            a = max(0, round(top) - g.y0)
            b = min(g.h, round(bottom) - g.y0)
            if 0 < a < b and widths[:a].max() < 0.5 * g.w:
                y0 = g.y0 + a
            if a < b < g.h and widths[b:].max() < 0.5 * g.w:
                y1 = g.y0 + b
        if (y0, y1) == (g.y0, g.y1):
            out.append(g)
            continue
        out.append(_Group(g.x0, y0, g.x1, y1, g.labels, g.area, col_range=g.col_range))
    return out


def _pitch(groups: list[_Group]) -> tuple[float, float]:
    """The row's pitch (usual distance between neighbouring characters' centres) and its
    usual gap between characters, from the inner characters of the row; ``(0, 0)`` when too
    few to tell.

    Characters of a plate are evenly spaced, with at most one or two wider gaps (the dot of
    a Chinese plate, the hyphen or band gap of others), so medians of at least three
    neighbour distances give the pitch.
    """
    if len(groups) < 4:
        return 0.0, 0.0
    pairs = list(itertools.pairwise(groups))
    pitch = _median([(b.x0 + b.x1 - a.x0 - a.x1) / 2.0 for a, b in pairs])
    return pitch, max(0.0, _median([b.x0 - a.x1 for a, b in pairs]))


def _segment_binary(
    binary: np.ndarray, *, band: bool = True
) -> tuple[list[_Group], np.ndarray, float, list[_Group]]:
    """Character groups of a binary plate, its label image, the line's slope and the blobs
    dropped as too wide for a character (for :func:`_cut_too_wide`).

    With ``band``, what lies above and below the text band is blanked first.
    """
    original = binary
    if band:
        binary = _clear_outside_band(binary)
    cleaned = _erase_long_lines(binary)
    _count, labels, stats, _ = cv2.connectedComponentsWithStats(cleaned, connectivity=8)
    stats = stats[1:]
    line = _text_line(stats, binary.shape[0])
    if len(line) == 0:
        return [], labels, 0.0, []
    slope, href, mid = _line_geometry(stats, line)
    if href < 6:
        return [], labels, slope, []
    # Now that the character height is known, a horizontal run longer than any character is
    # wide is a frame line or strip that may glue characters together.
    shorter = _erase_runs(cleaned, max(5, int(1.3 * href)))
    if shorter is not cleaned:
        cleaned = shorter
        _count, labels, stats, _ = cv2.connectedComponentsWithStats(cleaned, connectivity=8)
        stats = stats[1:]
    groups = _groups(stats, slope, href, mid, binary.shape[1])
    groups = _drop_edge_bars(groups, href, original, raw=True, labels=labels)
    wref = _char_width(groups, href)
    groups = _merge_strokes(groups, href, wref)
    groups = _merge_close_strokes(groups, href, wref)
    # The pitch is taken on the pieces that look like whole characters, before any split.
    pitch, _ = _pitch(
        [g for g in groups if g.h >= 0.75 * href and 0.35 * href <= g.w <= 1.0 * href]
    )
    groups = _split_wide(groups, cleaned, labels, wref)
    groups = _drop_overlapping_parts(groups, href)
    # After the split: a square symbol wider than a character is cut like two touching
    # characters, and its unequal halves are joined again here.
    groups = _merge_radicals(groups, href, wref, pitch=pitch)
    wide = [g for g in groups if _too_wide(g, href, wref)]
    groups = [g for g in groups if _keep(g, href, wref)]
    groups = _drop_edge_bars(groups, href, original, labels=labels)
    groups = _detach_sides(groups, href, original, labels)
    return groups, labels, slope, wide


def _quality(groups: list[_Group]) -> float:
    """How much a set of groups looks like a line of characters (more, evenly tall = better)."""
    if not groups:
        return 0.0
    heights = np.array([g.h for g in groups], np.float64)
    spread = float(np.std(heights) / max(1.0, np.mean(heights)))
    # Summing heights rather than counting lets real characters beat the holes inside them
    # (which look like a line of smaller blobs in the wrong polarity).
    return float(heights.sum()) * (1.0 - min(0.9, 2.0 * spread))


def _mask(g: _Group, labels: np.ndarray) -> np.ndarray:
    """``g``'s pixels in ``labels``, tightly cropped: ``(h, w)`` ``uint8``, 255 on 0;
    ``(0, 0)`` when it has none."""
    x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
    window = labels[g.y0 : g.y1, x0:x1]
    region = g.region(window).view(np.uint8)  # 1 on 0
    # The box around the non-zero pixels, in one call (masks are cut many times a plate).
    x, y, w, h = cv2.boundingRect(region)
    if w == 0:
        return np.zeros((0, 0), np.uint8)
    return region[y : y + h, x : x + w] * np.uint8(255)


def drop_stray_parts(
    mask: np.ndarray, *, max_share: float = 0.12, end_share: float = 0.25
) -> np.ndarray:
    """A character mask without the small loose parts at its top or bottom end.

    A rivet above a character, a bit of the frame under it or a dot of dirt that the segmenter
    merged into the character's group stretches the mask's bounding box, so the character is
    squeezed when it is scaled to the network's input: a clean 8 with a rivet on top reads as 1,
    a 7 over a frame line is taken for a symbol.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(h, w)`` ``uint8`` character mask, 255 on 0, tightly cropped (as in
        :attr:`PlateSegmentation.masks`).
    max_share : float, keyword-only
        A part other than the largest is dropped when it holds less than this share of the
        mask's ink ...
    end_share : float, keyword-only
        ... and lies wholly within this share of the mask's height from its top or bottom.

    Returns
    -------
    numpy.ndarray
        ``(h', w')`` ``uint8``, cropped again to what is left; ``mask`` itself when nothing is
        dropped.

    Notes
    -----
    Parts in the middle rows are kept whatever their size (the broken bowl of a 5, the strokes
    of a many-stroke symbol), and so are large parts at the ends (the top bar of a 5 broken off
    its stem). On the shipped model this reads 1-2 points more real Chinese plates exactly and
    0.2-0.4 more synthetic ones, for three rejector trainings (see :meth:`Model.read`).

    One exception: when the largest part is a thin bar as tall as the mask and the rest is a
    few specks on one side of it (a bit of the frame, a rivet or a neighbour's edge next to a
    "1"), the specks go wherever they are; the box they widened made real 1s read as 7 or as a
    symbol (plates-cn: 87.5% -> 88.6% exact, and 87.8% -> 88.6% with another rejector draw;
    synthetic plates the same). Strokes on both sides of a bar stay: a symbol may be drawn so.

    Examples
    --------
    >>> eight = np.zeros((30, 14), np.uint8)
    >>> eight[6:30, 2:12] = 255
    >>> eight[0:2, 6:8] = 255  # a rivet above it
    >>> drop_stray_parts(eight).shape
    (24, 10)
    """
    if mask.size == 0:
        return mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (mask > 0).astype(np.uint8), connectivity=8
    )
    if count <= 2:
        return mask
    h = mask.shape[0]
    area = stats[1:, cv2.CC_STAT_AREA]
    top = stats[1:, cv2.CC_STAT_TOP]
    bottom = top + stats[1:, cv2.CC_STAT_HEIGHT]
    at_end = (bottom <= end_share * h) | (top >= (1.0 - end_share) * h)
    stray = at_end & (area < max_share * area.sum())
    stray |= _specks_beside_a_bar(stats[1:], h)
    stray[int(np.argmax(area))] = False
    if not stray.any():
        return mask
    kept = np.concatenate([[False], ~stray])[labels]
    rows = np.flatnonzero(kept.any(axis=1))
    cols = np.flatnonzero(kept.any(axis=0))
    box = kept[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.where(box, 255, 0).astype(np.uint8)


#: :func:`_specks_beside_a_bar`: the bar is at most this wide for its height, at least this tall
#: for the mask's, and the specks hold less than this share of the ink; parts under the last
#: share are too small to count as lying on a side.
_BAR_WIDTH = 0.3
_BAR_HEIGHT = 0.75
_SPECKS_SHARE = 0.25
_SPECK_IGNORED = 0.02


def _specks_beside_a_bar(stats: np.ndarray, height: int) -> np.ndarray:
    """Which parts are specks beside a thin full-height bar, the largest part.

    ``stats`` are ``cv2.connectedComponentsWithStats``'s rows without the background, ``(n, 5)``;
    returns ``(n,)`` ``bool``, all False unless the parts are one bar and specks on one side.
    """
    area = stats[:, cv2.CC_STAT_AREA]
    none = np.zeros(len(stats), bool)
    bar = int(np.argmax(area))
    bx, _, bw, bh = (int(v) for v in stats[bar, :4])
    others = np.arange(len(stats)) != bar
    if bh < _BAR_HEIGHT * height or bw > _BAR_WIDTH * bh:
        return none
    if area[others].sum() >= _SPECKS_SHARE * area.sum():
        return none
    x0 = stats[:, cv2.CC_STAT_LEFT]
    x1 = x0 + stats[:, cv2.CC_STAT_WIDTH]
    counted = others & (area >= _SPECK_IGNORED * area.sum())
    left = counted & (x1 <= bx + bw // 2)
    right = counted & (x0 >= bx + (bw + 1) // 2)
    if left.any() and right.any():
        return none
    return others


def _binaries(gray: np.ndarray, *, only: bool | None = None) -> list[tuple[bool, np.ndarray]]:
    """The plate thresholded both ways: ``(dark_text, binary)`` pairs, characters white.

    Each polarity is first flattened with a morphological top-hat (black-hat for dark text):
    what is brighter than its surroundings within a window wider than a stroke. That keeps
    strokes, removes light gradients and wide blobs (colour bands, stickers), and then one Otsu
    threshold fits most of the plate. Not a stretch in shadow: the flattening takes the shade
    away but not the weaker contrast of the strokes in it, and the plate's threshold cut the
    last characters of half-shaded plates apart. So the threshold is lowered to Otsu's of each
    stretch of the plate where that is lower (see :func:`_shade_following_threshold`).
    """
    if int(gray.max()) == int(gray.min()):
        return []
    size = max(5, int(0.35 * gray.shape[0]) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    out = []
    for dark, op in ((False, cv2.MORPH_TOPHAT), (True, cv2.MORPH_BLACKHAT)):
        if only is not None and dark != only:
            continue
        flat = cv2.morphologyEx(gray, op, kernel)
        if int(flat.max()) < 16:
            continue  # nothing stands out in this polarity
        plate_threshold, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        columns = _shade_following_threshold(flat, plate_threshold)
        out.append((dark, (flat > columns).view(np.uint8) * np.uint8(255)))
    return out


#: Width of the stretches :func:`_shade_following_threshold` thresholds on their own, in plate
#: heights (about one character). Plates read exactly with the model trained before (and a
#: floor of 0.6), real Chinese / camera-like synthetic 4242: 84.7 / 84.2% with the plate's
#: threshold alone, 88.2 / 86.5% with 0.4, 86.3 / 86.8% with 0.5, 87.8 / 87.5% with 0.6,
#: 86.3 / 85.5% with 0.8.
_SHADE_WINDOW = 0.6
#: The lowest share of the plate's threshold a stretch may go down to: a stretch holding no
#: character (a bare end of the plate) has an Otsu threshold splitting its noise, and a worn
#: character at a third of the others' contrast is better found whole in its own cell (step 6)
#: than in part here (0.6 cut it in half). 0.7: 88.2 / 86.8%; 0.6: 87.8 / 87.5%, 0.4 and 0.8
#: 0.4-1.0 points fewer on both sets.
_SHADE_FLOOR = 0.7


def _shade_following_threshold(flat: np.ndarray, plate_threshold: float) -> np.ndarray:
    """A threshold per column: Otsu's of the stretch around it where lower than the plate's.

    Parameters
    ----------
    flat : numpy.ndarray
        ``(h, w)`` ``uint8``, the flattened plate (characters bright).
    plate_threshold : float
        Otsu's threshold of the whole of ``flat``.

    Returns
    -------
    numpy.ndarray
        ``(1, w)`` ``float64``, between ``_SHADE_FLOOR * plate_threshold`` and
        ``plate_threshold``, to compare ``flat`` with.
    """
    h, w = flat.shape
    window = max(8, int(_SHADE_WINDOW * h))
    step = max(2, window // 4)
    centres, thresholds = [], []
    for x0 in range(0, max(1, w - window) + step, step):
        stretch = flat[:, x0 : x0 + window]
        if stretch.size == 0:
            continue
        t, _ = cv2.threshold(stretch, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        centres.append(min(w - 1, x0 + window / 2))
        thresholds.append(t)
    columns = np.interp(np.arange(w), centres, thresholds)
    low = _SHADE_FLOOR * plate_threshold
    return np.clip(np.minimum(columns, plate_threshold), low, None)[None, :]


def _text_looks_dark(gray: np.ndarray) -> bool | None:
    """Whether the text is darker than the plate, judged by area; None when unclear.

    Characters cover less of a plate than the plate's surface does, so across the middle rows
    (above and below are the frame and margins) the minority side of an Otsu threshold is the
    text. When both sides are about as large the line-of-characters test alone decides.
    """
    h = gray.shape[0]
    band = gray[int(0.2 * h) : max(int(0.2 * h) + 1, int(0.8 * h))]
    threshold, _ = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = float(np.mean(band > threshold))
    if abs(bright - 0.5) < 0.08:
        return None
    return bright > 0.5


#: Two polarities whose line scores are this close are a close call (see ``judge``). The line
#: score alone is fragile (the wrong polarity's gaps between characters look like a line of
#: characters too, and a few more or fewer joins move it), so the judge is asked fairly often.
_CLOSE_CALL = 0.6

Judge = Callable[[list[np.ndarray]], np.ndarray]
"""Scores character masks: ``(n,)`` ``float``, one per mask, higher = more like a character."""


def _judged(judge: Judge, masks: list[np.ndarray]) -> float:
    """The mean of ``judge``'s scores of ``masks``: how much they look like characters."""
    scores = judge(masks)
    return float(np.mean(scores)) if len(scores) else 0.0


def _best(
    gray: np.ndarray, *, polarity: bool | None = None, judge: Judge | None = None
) -> tuple[list[_Group], np.ndarray, np.ndarray, float, bool, list[_Group]]:
    """Groups, labels, binary, slope, polarity and the blobs too wide for a character (see
    :func:`_cut_too_wide`) of the better polarity (or of ``polarity``, when already known: a
    straightened plate keeps its colours)."""
    if polarity is not None:
        for dark, binary in _binaries(gray, only=polarity):
            groups, labels, slope, wide = _segment_binary(binary, band=True)
            if not groups:
                groups, labels, slope, wide = _segment_binary(binary, band=False)
            return groups, labels, binary, slope, dark, wide
        empty = np.zeros_like(gray)
        return [], empty.astype(np.int32), empty, 0.0, polarity, []
    # The polarity is chosen on the whole binary: cutting out the text band first would cut the
    # wrong polarity's plate surface into tall blobs between the characters that look like a
    # line of characters too.
    likely_dark = _text_looks_dark(gray)
    scored = []
    for dark, binary in _binaries(gray):
        groups, labels, slope, wide = _segment_binary(binary, band=False)
        q = _quality(groups)
        if likely_dark is not None and dark == likely_dark:
            q *= 2.0
        scored.append((q, (groups, labels, binary, slope, dark, wide)))
    if not scored:
        empty = np.zeros_like(gray)
        return [], empty.astype(np.int32), empty, 0.0, False, []
    scored.sort(key=lambda item: -item[0])
    close = len(scored) == 2 and scored[1][0] >= _CLOSE_CALL * scored[0][0] > 0
    finals = []
    for _q, best in scored if judge is not None and close else scored[:1]:
        binary, dark = best[2], best[4]
        groups, labels, slope, wide = _segment_binary(binary, band=True)
        finals.append((groups, labels, binary, slope, dark, wide) if groups else best)
    if judge is not None and len(finals) == 2:
        # Bold faces leave gaps between characters that look like characters too; what the
        # reader recognises better is the text.
        marks = [
            _judged(judge, [_mask(g, labels) for g in groups]) if groups else -1.0
            for groups, labels, *_ in finals
        ]
        return finals[int(np.argmax(marks))]
    return finals[0]


def _contrast_channel(image: np.ndarray) -> np.ndarray:
    """The plate as one ``uint8`` channel along which its colours differ most.

    Grey is a poor channel for some plate colours (light grey text on a green plate have about
    the same luminance); the first principal component of the pixels' BGR values separates
    the plate's two main colours whatever they are (but not always the text from the plate:
    an unsure reading is looked at in grey too, step 9). Its sign does not matter, since both
    polarities are tried.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] < 3 or image.dtype != np.uint8:
        return to_gray(image)
    pixels = image[:, :, :3].reshape(-1, 3).astype(np.float32)
    centred = pixels - pixels.mean(axis=0)
    cov = centred.T @ centred / max(1, len(pixels) - 1)
    _, vectors = np.linalg.eigh(cov)
    axis = vectors[:, -1]
    if axis.sum() < 0:
        axis = -axis  # keep "brighter" pointing up, so dark_text keeps its meaning
    projected = centred @ axis
    low, high = float(projected.min()), float(projected.max())
    if high - low < 1e-6:
        return np.zeros(image.shape[:2], np.uint8)
    scaled = (projected - low) * (255.0 / (high - low))
    return scaled.reshape(image.shape[:2]).astype(np.uint8)


def _warp(gray: np.ndarray, transform: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return cv2.warpAffine(
        gray, transform[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


#: Shears tried, 0.05 apart: a camera's slant of 0.1-0.25 falls between the steps of 0.1 that
#: were tried before as often as on them.
_SHEARS = np.linspace(-0.8, 0.8, 33)


def _shear(binary: np.ndarray, groups: list[_Group]) -> float:
    """The horizontal shear that makes the characters upright (italic or perspective slant).

    Upright characters leave the most empty columns between them, so the shear that
    minimises the number of inked columns in the text band wins, unless upright is within 1% of
    it. On upright synthetic plates upright is nearly always the best shear outright, while on
    slanted ones the best shear inks only 3-10% fewer columns (the frame and the plate's
    surroundings ink columns at every shear): with the 7% margin used before, two thirds of the
    plates slanted by 0.1-0.25 were left slanted, their characters touching. With 1% and
    finer steps, 800 camera-like plates (``synth --camera``, seeds 4242 and 777) read 81.0% and
    85.5% exactly before, 82.5% and 87.5% after, plates-cn the same (78.8%), all with the model
    of the time; the README gives the figures of the model rebuilt with it.
    """
    if len(groups) >= 3:
        top = int(_median([g.y0 for g in groups]))
        bottom = int(_median([g.y1 for g in groups]))
    else:
        # Too slanted for a line of separate characters: the text band still shows where the
        # characters are.
        rows = _text_band(binary)
        if rows is None:
            return 0.0
        top, bottom = rows
    band = binary[top:bottom]
    if band.shape[0] < 4:
        return 0.0
    h, w = band.shape
    inked = []
    for s in _SHEARS:
        m = np.array([[1.0, s, -s * h / 2.0], [0.0, 1.0, 0.0]], np.float64)
        warped = cv2.warpAffine(band, m, (w, h), flags=cv2.INTER_NEAREST)
        inked.append(int(np.count_nonzero(warped.any(axis=0))))
    counts = np.asarray(inked, np.float64)
    best = int(np.argmin(counts))
    upright = counts[len(_SHEARS) // 2]
    if counts[best] > 0.99 * upright:
        return 0.0
    return float(_SHEARS[best])


#: How far the band's shear and the characters' own may differ before the characters' wins.
_SHEAR_TOLERANCE = 0.1


def _shear_of_characters(groups: list[_Group], labels: np.ndarray) -> float | None:
    """The median over the characters of the shear that makes each one narrowest.

    Only characters of about the row's height and not much wider than usual vote (a blob of
    two or a frame piece would not); None when fewer than three do. On ties (a bar is narrowest
    over a range of shears) a character votes for the one nearest upright.

    Used next to :func:`_shear`: alone it read fewer camera-like plates than the band's count
    (800 ``synth --camera`` plates: 82.0% / 85.8% exactly against 82.5% / 87.5%), but where the
    two differ by more than :data:`_SHEAR_TOLERANCE` it is the better judge (a plate whose frame
    leans while its characters stand upright was sheared by 0.15 and misread): together, the
    camera plates read as with the band alone, plates-cn 79.2% (78.8% with the band alone) and
    the slanted synthetic plates' boxes 86.2% exact (86.0%), with the model before its rebuild.
    """
    usual_h = _median([g.h for g in groups])
    usual_w = _median([g.w for g in groups])
    votes = []
    for g in groups:
        if g.h < 0.7 * usual_h or g.w > 1.6 * usual_w:
            continue
        ys, xs = np.nonzero(_mask(g, labels))
        if len(xs) == 0:
            continue
        # The columns each ink pixel lands in under every shear, counted without warping: a
        # table of which columns each shear inks (faster than sorting each shear's columns).
        columns = np.rint(xs + np.outer(_SHEARS, ys - g.h / 2.0)).astype(np.int32)
        lowest = int(columns.min())
        span = int(columns.max()) - lowest + 1
        inked = np.zeros(len(_SHEARS) * span, bool)
        inked[(columns - lowest + np.arange(0, len(inked), span)[:, None]).ravel()] = True
        widths = np.count_nonzero(inked.reshape(len(_SHEARS), span), axis=1)
        narrowest = _SHEARS[widths == widths.min()]
        votes.append(float(narrowest[np.argmin(np.abs(narrowest))]))
    if len(votes) < 3:
        return None
    return _median(votes)


def _baseline_slope(groups: list[_Group]) -> float:
    """The slope shared by the characters' tops and bottoms (least squares on both lines).

    Characters of a line share a top and a baseline, so all of them tell the plate's rotation,
    not only the few of exactly the same height that made the line; the one fitting worst (a
    letter with a descender, a symbol) is left out when there are enough. So are characters
    much taller than the row's usual height (a rivet or a frame corner joined at one end),
    while at least three are left.
    """
    usual = _median([g.h for g in groups])
    fitting = [g for g in groups if g.h <= 1.1 * usual]
    if len(fitting) >= 3:
        groups = fitting
    x = np.array([(g.x0 + g.x1) / 2.0 for g in groups])
    tops = np.array([g.y0 for g in groups], np.float64)
    bottoms = np.array([g.y1 for g in groups], np.float64)

    def fit(keep: np.ndarray) -> tuple[float, np.ndarray]:
        x_mean, top_mean, bottom_mean = x[keep].mean(), tops[keep].mean(), bottoms[keep].mean()
        dx = x[keep] - x_mean
        denominator = 2.0 * float(np.dot(dx, dx))
        if denominator <= 0:
            return 0.0, np.zeros(len(x))
        slope = (
            float(np.dot(dx, tops[keep] - top_mean) + np.dot(dx, bottoms[keep] - bottom_mean))
            / denominator
        )
        residual = np.abs(tops - top_mean - slope * (x - x_mean)) + np.abs(
            bottoms - bottom_mean - slope * (x - x_mean)
        )
        return slope, residual

    keep = np.ones(len(x), bool)
    slope, residual = fit(keep)
    if len(x) >= 5:
        keep[int(np.argmax(residual))] = False
        slope, _ = fit(keep)
    return slope


#: A blob this many character widths wide (and up to :data:`_JOIN_MAX_WIDTH`) may be two
#: characters touching: a "1" and its neighbour are together narrower than the 1.5 widths at
#: which :func:`_split_wide` cuts without asking. Blobs of two bold characters of several
#: components (which :func:`_split_wide` leaves whole) reach 2.1-2.3 widths on camera-like
#: plates; 2.3, 2.6 and 3.0 as the upper end read the same plates.
_JOIN_MIN_WIDTH = 1.1
_JOIN_MAX_WIDTH = 2.5
#: Only columns holding at most this share of the row's height in ink are tried as cuts: the
#: thin join of two touching characters, not a stroke running across one (the middle of a 0).
_JOIN_VALLEY = 0.18
#: For a blob 1.5 widths wide or more, the join may be this thick: two bold characters glued
#: along their height ("3E", "38"). Blobs that narrow are rarely one character, so a deeper
#: cut is not the risk it is in a "W" or an "M" (0.25 for all blobs cut letters of wide faces
#: into digits: 3 plates broken for 5 fixed, of 2,655).
_JOIN_WIDE_VALLEY = 0.25
#: The judge must find both halves this much more like characters than the whole (as much
#: will do for a blob at least 1.5 widths wide, which only a group of several components
#: escapes :func:`_split_wide` at) ...
_JOIN_GAIN = 0.2
#: ... and each half at least this like one (half a symbol or a scrap of frame is rarely more).
_JOIN_LEAST = 0.6


#: :func:`_drop_thin_end_bars`: a bar is at most this wide for its height ...
_END_BAR_WIDTH = 0.35
#: ... and a frame line when its stroke is under this share of the row's. The 289 real 1s at
#: either end of the row on 4,200 synthetic plates (the generator's faces and 23 Debian ones)
#: and on the real Chinese plates came out at 0.71 or more; 0.55 and 0.6 read the same
#: plates, 0.67 lost real 1s.
_END_BAR_STROKE = 0.55
#: ... and one stroke: at most this many ink runs a middle row on average (a frame remnant
#: carries a speck or two beside it: with 1.2, two that 1.35-1.5 drop were kept and read as
#: 1; the two sides of a narrow symbol make 2).
_END_BAR_RUNS = 1.4


def _stroke_runs(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """The lengths of the horizontal ink runs across the middle 40% of ``mask``'s rows, and
    how many of those rows hold ink: ``(n_runs,)`` ``int64`` and an int."""
    h = mask.shape[0]
    middle = mask[int(0.3 * h) : int(0.7 * h) + 1] > 0
    padded = np.pad(middle, ((0, 0), (1, 1))).astype(np.int8)
    steps = np.diff(padded, axis=1)
    # Row-major order pairs every run's start with its end.
    lengths = np.flatnonzero(steps == -1) - np.flatnonzero(steps == 1)
    return lengths, int(middle.any(axis=1).sum())


def _stroke_width(runs: tuple[np.ndarray, int]) -> float | None:
    """A character's stroke width, whatever its shape: the median length of its middle rows'
    ink runs (``runs`` as :func:`_stroke_runs` gives them); ``None`` without ink there."""
    lengths, _ = runs
    return _median(lengths) if len(lengths) else None


def _bar_stroke(runs: tuple[np.ndarray, int]) -> float | None:
    """The stroke width of a bar, about one run a middle row (:data:`_END_BAR_RUNS`); ``None``
    for anything else (the two sides of a narrow symbol, a bowl)."""
    lengths, rows = runs
    if rows == 0 or len(lengths) > _END_BAR_RUNS * rows:
        return None
    return _median(lengths)


#: :func:`_drop_wrapping_ends`: an end piece sharing at least this share of its columns with
#: its neighbour ...
_WRAPPING = 0.5
#: ... and reaching past the row's top or bottom line by more than this share of the row's
#: height.
_WRAPPING_REACH = 0.07


def _drop_wrapping_ends(groups: list[_Group]) -> list[_Group]:
    """Drop a piece at either end of the row that wraps around its neighbour: sharing half its
    columns with it and reaching above or below the row, it is a rounded corner of the frame
    or of the plate (easypr_0161: read as a "7" after the last digit), not a character, which
    stands beside the next one and shares the row's top and bottom."""
    if len(groups) < 4:
        return groups
    top = _median([g.y0 for g in groups])
    bottom = _median([g.y1 for g in groups])
    reach = _WRAPPING_REACH * (bottom - top)

    def wraps(g: _Group, neighbour: _Group) -> bool:
        shared = min(g.x1, neighbour.x1) - max(g.x0, neighbour.x0)
        return shared >= _WRAPPING * g.w and (g.y0 < top - reach or g.y1 > bottom + reach)

    first, last = 0, len(groups)
    while last - first >= 4 and wraps(groups[last - 1], groups[last - 2]):
        last -= 1
    while last - first >= 4 and wraps(groups[first], groups[first + 1]):
        first += 1
    return groups[first:last]


def _drop_thin_end_bars(groups: list[_Group], labels: np.ndarray) -> list[_Group]:
    """Drop a thin bar (one stroke) at either end of the row, its stroke much thinner than the
    row's.

    The frame's side, a line of the plate's border or the stem a split left of a symbol comes
    out as a bar that :func:`_drop_edge_bars` keeps when it stands where a "1" could (in the
    row's cell, as tall as the row), and it is read as 1. A font draws its 1 with the stroke
    of its other characters; a frame line is thinner (see :data:`_END_BAR_STROKE`).
    """

    def ends() -> list[int]:
        return [i for i in (0, len(groups) - 1) if groups[i].w <= _END_BAR_WIDTH * groups[i].h]

    if len(groups) < 3 or not ends():
        return groups  # most rows: no mask is looked at
    runs = [_stroke_runs(_mask(g, labels)) for g in groups]
    while len(groups) >= 3:
        strokes = [_stroke_width(r) for r in runs]
        dropped = None
        for i in ends():
            others = [w for k, w in enumerate(strokes) if k != i and w is not None]
            own = _bar_stroke(runs[i])
            if own is not None and others and own < _END_BAR_STROKE * _median(others):
                dropped = i
                break
        if dropped is None:
            return groups
        groups = groups[:dropped] + groups[dropped + 1 :]
        del runs[dropped]
    return groups


def _split_joined(
    groups: list[_Group], labels: np.ndarray, binary: np.ndarray, judge: Judge | None
) -> list[_Group]:
    """Cut characters that touch in two where the judge reads both halves far better.

    Two characters glued by blur or a bold face are cut by :func:`_split_wide` only when the
    blob is 1.5 character widths wide and one component; a "1" glued to its neighbour is
    narrower than that, and a geometric rule cannot tell it from a wide letter ("M", "W"). Here
    each blob of 1.1-2.5 widths is tried at its (up to six) thinnest columns, and the cut is
    kept when the judge (the reader's confidence) scores both halves much higher than the whole
    (or just higher, for a blob of several components 1.5 widths wide or more). A half still
    1.1 widths wide or more is tried again (three characters glued). A half that comes out as
    a frame side at either end of the row is dropped, as :func:`_drop_edge_bars` drops one
    that was never glued.

    Parameters
    ----------
    groups : list of _Group
        The row's characters, left to right.
    labels : numpy.ndarray
        ``(H, W)`` ``int32`` label image the groups refer to.
    binary : numpy.ndarray
        ``(H, W)`` ``uint8`` binary plate the labels were taken from (for the frame test).
    judge : callable or None
        See :func:`segment_plate`; without one nothing is cut.

    Returns
    -------
    list of _Group
    """
    if judge is None or len(groups) < 3:
        return groups
    href = _median([g.h for g in groups])
    wref = _char_width(groups, href)
    out: list[_Group] = []
    cut: set[int] = set()  # ids of the halves made here
    for g in groups:
        if not _JOIN_MIN_WIDTH * wref <= g.w <= _JOIN_MAX_WIDTH * wref or g.h < 0.75 * href:
            out.append(g)
            continue
        pending = [g]
        while pending:
            piece = pending.pop(0)
            if piece.w < _JOIN_MIN_WIDTH * wref or piece.h < 0.75 * href:
                out.append(piece)
                continue
            gain = _JOIN_GAIN if piece.w < 1.5 * wref else 0.0
            valley = _JOIN_VALLEY if piece.w < 1.5 * wref else _JOIN_WIDE_VALLEY
            halves = _best_cut(piece, labels, judge, href, gain=gain, valley=valley)
            if halves is None:
                out.append(piece)
            else:
                pending[:0] = halves
                cut.update(id(h) for h in halves)
    if not cut:
        return out
    kept = {id(g) for g in _drop_edge_bars(out, href, binary, labels=labels)}
    return [g for g in out if id(g) in kept or id(g) not in cut]


#: :func:`_cut_too_wide`: a blob up to this many character widths wide is tried (three glued
#: characters and a little more) ...
_WIDE_MOST = 3.3
#: ... and cut until every piece is at most this wide.
_WIDE_PIECE = 1.2


def _ink_columns(g: _Group, labels: np.ndarray) -> _Group:
    """``g`` narrowed to the columns its pixels ink (a cut in a gap leaves blank ones)."""
    x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
    cols = np.flatnonzero(g.region(labels[g.y0 : g.y1, x0:x1]).any(axis=0))
    if len(cols) == 0 or (cols[0] == 0 and cols[-1] == x1 - x0 - 1):
        return g
    a, b = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
    return replace(g, x0=a, x1=b, col_range=(a, b))


#: :func:`_without_thin_ends`: an end column is a blur's bridge when inked at most this share of
#: the row's height (at least a pixel) ...
_BRIDGE = 0.06
#: ... and part of a dot or a hyphen when inked less than this share, all within the middle
#: half of the piece's rows (the foot of an "L", the bar of a "7" or the hook of a "J" lie at
#: its top or bottom) ...
_THIN_END = 0.2
#: ... when the first column inward is inked at least this share (a stem: the side of an "N" or
#: a "0", not the diagonal of a "7").
_STEM = 0.5


def _without_thin_ends(g: _Group, labels: np.ndarray, href: float) -> _Group:
    """``g`` without the thin columns at either end that stand before a full stem: the dot
    between a plate's groups and the one-pixel bridges blur leaves between glued characters,
    which would otherwise be judged as part of the character beside them."""
    x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
    region = g.region(labels[g.y0 : g.y1, x0:x1])
    profile = region.sum(axis=0)
    n = len(profile)
    h = region.shape[0]
    # Where each column's ink lies, not counting the piece's first and last rows: a one-pixel
    # line along the bottom of the row (a blurred edge) may join everything there.
    rows = np.arange(1, h - 1)[:, None]
    top = np.where(region[1:-1], rows, h).min(axis=0, initial=h)
    bottom = np.where(region[1:-1], rows, -1).max(axis=0, initial=-1)
    middle = (top >= 0.25 * h) & (bottom < 0.75 * h)
    thin = (profile <= max(1.0, _BRIDGE * href)) | (middle & (profile < _THIN_END * href))
    a = 0
    while a < n and thin[a]:
        a += 1
    if a == n:
        return g
    if profile[a] < _STEM * href:
        a = 0
    b = n
    while b > a and thin[b - 1]:
        b -= 1
    if profile[b - 1] < _STEM * href:
        b = n
    if (a, b) == (0, n):
        return g
    return _columns_of(g, region, x0, a, b, np.flatnonzero(region[:, a:b].any(axis=1)))


def _cut_too_wide(
    groups: list[_Group],
    wide: list[_Group],
    labels: np.ndarray,
    binary: np.ndarray,
    judge: Judge | None,
) -> list[_Group]:
    """Characters glued into a blob wider than :func:`_keep` allows, cut where the judge reads
    every piece as a character.

    :func:`_keep` drops a blob more than 2.2 character widths wide: a sticker, a band of
    colour, a stretch of frame, or two or three characters blur glued together with several
    components between them (which :func:`_split_wide` leaves whole, and which
    :func:`_merge_radicals` may have joined as the parts of one symbol). Each such blob of the
    row's height is cut, as in :func:`_split_joined`, at its thinnest columns until every piece
    is a character wide, and its pieces are kept only when every cut found both halves at
    least :data:`_JOIN_LEAST` like a character; otherwise it stays dropped. A piece that comes
    out as a frame side at either end of the row goes, as in :func:`_split_joined`. The blob and
    each piece are judged without the dot or blur's bridges at their ends
    (:func:`_without_thin_ends`).

    Parameters
    ----------
    groups : list of _Group
        The row's characters.
    wide : list of _Group
        The blobs :func:`_keep` dropped for their width alone.
    labels : numpy.ndarray
        ``(H, W)`` ``int32`` label image the groups refer to.
    binary : numpy.ndarray
        ``(H, W)`` ``uint8`` binary plate the labels were taken from (for the frame test).
    judge : callable or None
        See :func:`segment_plate`; without one nothing is added.

    Returns
    -------
    list of _Group
        ``groups`` and the pieces kept, left to right by centre.
    """
    if judge is None or len(groups) < 2 or not wide:
        return groups
    href = _median([g.h for g in groups])
    wref = _char_width(groups, href)
    found: list[_Group] = []
    for blob in wide:
        if blob.w > _WIDE_MOST * wref or not 0.75 * href <= blob.h <= 1.3 * href:
            continue
        if any(min(g.x1, blob.x1) - max(g.x0, blob.x0) > 0.5 * g.w for g in groups):
            continue  # a later step kept part of it (a slanted neighbour may overlap its end)
        pending, pieces = [blob], []
        while pending:
            piece = _without_thin_ends(_ink_columns(pending.pop(0), labels), labels, href)
            if piece.w <= _WIDE_PIECE * wref:
                pieces.append(piece)
                continue
            # The whole blob is no character at all: only the halves' own marks count.
            halves = _best_cut(
                piece, labels, judge, href, gain=-1.0, valley=_JOIN_WIDE_VALLEY, thin_ends=True
            )
            if halves is None:
                pieces = []
                break
            pending[:0] = halves
        found.extend(p for p in pieces if p.h >= 0.75 * href)
    if not found:
        return groups
    kept = {id(g) for g in _drop_edge_bars([*groups, *found], href, binary, labels=labels)}
    return sorted([*groups, *(g for g in found if id(g) in kept)], key=lambda g: g.x0 + g.x1)


def _rejoin_width_cuts(
    groups: list[_Group], labels: np.ndarray, judge: Judge | None
) -> list[_Group]:
    """Join again two neighbouring pieces of one blob that the width rule cut, where the judge
    reads the whole as a character far better than either piece.

    :func:`_split_wide` cuts a blob wider than 1.5 characters at its deepest valleys without
    asking. A character glued to the frame side beside it is such a blob, and its deepest
    valley may be the character's own hollow (the middle of a 0): once the side is taken off,
    the character is left in two bars, each read as 1. Two adjacent pieces of the same blob
    that together are no wider than the width rule leaves whole are joined when the judge
    scores the whole at least :data:`_JOIN_LEAST` and :data:`_JOIN_GAIN` above the poorer
    piece: the reverse of :func:`_split_joined`'s test. Without a judge nothing changes.
    """
    if judge is None or len(groups) < 3:
        return groups
    href = _median([g.h for g in groups])
    widest = 1.5 * _char_width(groups, href)  # as _split_wide
    out = [groups[0]]
    for g in groups[1:]:
        last = out[-1]
        if (
            last.col_range is not None
            and g.col_range is not None
            and last.labels == g.labels
            and abs(last.col_range[1] - g.col_range[0]) <= 1
            and g.x1 - last.x0 <= widest
        ):
            union = last.union(g)
            whole = replace(union, col_range=(last.col_range[0], g.col_range[1]))
            mark = _judged(judge, [_mask(whole, labels)])
            pieces = min(_judged(judge, [_mask(last, labels)]), _judged(judge, [_mask(g, labels)]))
            if mark >= _JOIN_LEAST and mark > pieces + _JOIN_GAIN:
                out[-1] = whole
                continue
        out.append(g)
    return out


def _best_cut(
    g: _Group,
    labels: np.ndarray,
    judge: Judge,
    href: float,
    *,
    gain: float,
    valley: float,
    thin_ends: bool = False,
) -> tuple[_Group, _Group] | None:
    """The two halves of ``g`` at its best cut (see :func:`_split_joined`), or ``None``; with
    ``thin_ends``, each half judged and given without :func:`_without_thin_ends`' columns."""
    x0, x1 = g.col_range if g.col_range is not None else (g.x0, g.x1)
    window = labels[g.y0 : g.y1, x0:x1]
    region = g.region(window)
    profile = region.sum(axis=0)
    n = region.shape[1]
    lo, hi = max(2, int(0.2 * n)), min(n - 2, int(0.8 * n) + 1)
    inner = profile[lo:hi]
    if len(inner) == 0:
        return None
    # Local minima of the column profile, thinnest first.
    left = np.r_[True, inner[1:] <= inner[:-1]]
    right = np.r_[inner[:-1] <= inner[1:], True]
    minima = lo + np.flatnonzero(left & right & (inner <= valley * href))
    minima = minima[np.argsort(profile[minima], kind="stable")][:6]
    best: tuple[float, tuple[_Group, _Group]] | None = None
    for c in minima:
        halves = []
        for a, b in ((0, int(c)), (int(c), n)):
            rows = np.flatnonzero(region[:, a:b].any(axis=1))
            if len(rows) < 0.6 * href:
                break
            half = _columns_of(g, region, x0, a, b, rows)
            halves.append(_without_thin_ends(half, labels, href) if thin_ends else half)
        if len(halves) != 2:
            continue
        mark = min(_judged(judge, [_mask(h, labels)]) for h in halves)
        if best is None or mark > best[0]:
            best = (mark, (halves[0], halves[1]))
    if best is None or best[0] < _JOIN_LEAST:
        return None
    return best[1] if best[0] > _judged(judge, [_mask(g, labels)]) + gain else None


#: :func:`flat_margins`: a line of the image belongs to a flat band when at least this share
#: of its pixels ...
_FLAT_SHARE = 0.97
#: ... lie within this share of the image's range of the outermost line's colour in every
#: channel (padding is one value; twice this took a blurred frame line at a synthetic
#: plate's very edge for padding) ...
_FLAT_TOLERANCE = 0.015
#: ... and the band's colour is at least this share of the range away from both tones of the
#: rest (the plate's and its characters') and from the lines just inside it (padding ends in
#: a step, a plate's margin darkening towards its edge in a slope); no side is trimmed by more
#: than :data:`_FLAT_MOST`.
_FLAT_CONTRAST = 0.1
_FLAT_MOST = 0.35


def _darker_side(pixels: np.ndarray) -> np.ndarray:
    """Which of ``(n, channels)`` pixels lie on the darker side of a two-means split of their
    mean channel (Otsu's split, without a histogram): ``(n,)`` ``bool``."""
    tone = pixels.mean(axis=1)
    split = float(tone.mean())
    for _ in range(8):
        low, high = tone[tone <= split], tone[tone > split]
        if len(low) == 0 or len(high) == 0:
            break
        # Sums over counts: the same numbers as .mean(), without its overhead.
        split = 0.5 * (float(low.sum()) / len(low) + float(high.sum()) / len(high))
    return tone <= split


def _two_tones(pixels: np.ndarray) -> list[np.ndarray]:
    """The median colours of the darker and the brighter side (:func:`_darker_side`) of
    ``(n, channels)`` pixels, the darker first; one colour when all lie on one side."""
    darker = _darker_side(pixels)
    return [np.median(pixels[side], axis=0) for side in (darker, ~darker) if side.any()]


#: An image more than twice this many lines tall is a big photo: its margins are found on the
#: means of blocks (see :func:`_unit_channels`) and its colours weighed only once it is shrunk
#: to its working size (see :func:`_segment`).
_BLOCK_HEIGHT = 192


def _unit_channels(image: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``image`` as ``(h, w, channels)`` ``float64`` divided by its largest absolute value (so
    that any finite image's values subtract without overflowing, and tests can be relative to
    its range); its first three channels, or one for a grey image. None when it holds
    infinities or NaNs (no margin is worth the risk), is under 8 lines either way or has no
    channel.

    An image more than twice :data:`_BLOCK_HEIGHT` tall comes as the means of its ``k`` x ``k``
    blocks (``k`` its height over :data:`_BLOCK_HEIGHT`, rounded down; the ends of rows and
    columns beyond the last whole block left out): a margin worth cutting is many of its lines
    wide, and a photo of 12 megapixels took 1.2 GB and two seconds more in float64. Returned
    with ``k`` (1 for an image taken whole), by which a margin found is multiplied."""
    pixels = np.asarray(image)
    if pixels.ndim == 3:
        pixels = pixels[:, :, : 3 if pixels.shape[2] >= 3 else 1]
    else:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    block = height // _BLOCK_HEIGHT if height > 2 * _BLOCK_HEIGHT else 1
    if block > 1 and width >= block:
        rows, columns = height // block, width // block
        whole = pixels[: rows * block, : columns * block]
        # Block means in float64 without a float64 copy of the whole image.
        pixels = whole.reshape(rows, block, columns, block, channels).mean(
            axis=(1, 3), dtype=np.float64
        )
    else:
        block = 1
        pixels = pixels.astype(np.float64)
    if pixels.size == 0 or min(pixels.shape[:2]) < 8 or not np.isfinite(pixels).all():
        return None
    largest = float(np.abs(pixels).max())
    return (pixels / largest if largest > 0 else pixels), block


def flat_margins(image: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns of flat padding around a plate: ``(top, bottom, left, right)``.

    A crop taken with a margin past the photo's edge, or laid on a canvas, is framed by
    bands of one flat colour. Inside the image, such a band is no part of the plate: its edge
    against the plate comes out as a bar at either end of the row (read as a "1"), and its
    contrast takes the threshold from faint characters, so that a band of two pixels cost a
    tenth of the real plates. A side's band is the run of outermost lines of which at least
    :data:`_FLAT_SHARE` of the pixels lie within :data:`_FLAT_TOLERANCE` of the outermost
    line's median colour, ending in a step to the lines inside it. Bands count only when two on
    opposite sides have one colour (a plate's own strip, such as a European plate's blue band,
    lies on one side) and that colour differs by :data:`_FLAT_CONTRAST` of the image's range
    from both tones of the rest, the plate's and its characters' (a plate's own flat margin is
    kept: trimmed, the characters would stand at the image's edge). A photo's lines are never
    that flat: none of the 255 real plates nor of 18,000 synthetic training plates is
    trimmed.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image :func:`platedigits.preprocess.to_gray` accepts.

    Returns
    -------
    tuple of int
        Lines to drop at the top, bottom, left and right; all 0 when there is no such band.

    Examples
    --------
    >>> plate = np.full((20, 60), 200, np.uint8); plate[5:15, 10:50:8] = 0
    >>> flat_margins(np.pad(plate, ((3, 3), (2, 2)), constant_values=90))
    (3, 3, 2, 2)
    >>> flat_margins(plate)
    (0, 0, 0, 0)
    """
    unit = _unit_channels(image)
    if unit is None:
        return 0, 0, 0, 0
    pixels, block = unit
    h, w = pixels.shape[:2]
    span = float(pixels.max() - pixels.min())
    if span <= 0:
        return 0, 0, 0, 0
    tolerance = _FLAT_TOLERANCE * span

    def band(lines: np.ndarray) -> tuple[int, np.ndarray]:
        """How many of ``lines`` (outermost first, ``(n, length, channels)``) are one flat
        colour, and that colour."""
        colour = np.median(lines[0], axis=0)
        most = int(_FLAT_MOST * len(lines))
        # The run of flat lines from the outermost in, at most ``most`` long. Line by line: on
        # nearly every plate the outermost line is not flat already.
        count = 0
        while count < most:
            near = np.abs(lines[count] - colour).max(axis=1) <= tolerance
            if np.count_nonzero(near) / len(near) < _FLAT_SHARE:
                break
            count += 1
        # Padding ends in a step to the plate, a plate's margin darkening towards its edge
        # (uneven light) in a slope: look along the middle half of the first line inside (its
        # ends may lie in the other sides' padding).
        length = lines.shape[1]
        inner = np.abs(lines[count, length // 4 : length - length // 4] - colour).max(axis=1)
        if np.mean(inner >= _FLAT_CONTRAST * span) < 0.5:
            return 0, colour
        return count, colour

    def framed(sides: list[tuple[int, np.ndarray]]) -> bool:
        """Padding frames the crop on both sides of at least one axis, in one colour; a
        plate's own band (the blue strip of a European or Mercosur plate) lies on one side."""
        (top, above), (bottom, below), (left, before), (right, after) = sides
        return any(
            a > 0 and b > 0 and np.abs(one - other).max() <= tolerance
            for a, b, one, other in ((top, bottom, above, below), (left, right, before, after))
        )

    across = pixels.transpose(1, 0, 2)
    sides = [band(pixels), band(pixels[::-1]), band(across), band(across[::-1])]
    if not framed(sides):
        return 0, 0, 0, 0  # (nearly every plate: no need to look at its colours)
    top, bottom, left, right = (count for count, _ in sides)
    tones = _two_tones(pixels[top : h - bottom, left : w - right].reshape(-1, pixels.shape[2]))
    # Padding differs from both the plate and its characters: a band of either colour is
    # the plate's own margin (or a frame), and can stay.
    sides = [
        (count, colour)
        if all(np.abs(colour - tone).max() >= _FLAT_CONTRAST * span for tone in tones)
        else (0, colour)
        for count, colour in sides
    ]
    if not framed(sides):
        return 0, 0, 0, 0
    # Of the padding's colour only (not a plate's own strip beside it).
    (top, above), (bottom, _), (left, before), (right, _) = sides
    paddings = [one for a, b, one in ((top, bottom, above), (left, right, before)) if a and b]
    top, bottom, left, right = (
        count * block if any(np.abs(colour - p).max() <= tolerance for p in paddings) else 0
        for count, colour in sides
    )
    return top, bottom, left, right


#: :func:`surrounding_margins`: a pixel is unlike the plate when it differs from both of the
#: plate's tones by more than this share of the tones' difference ...
_SURROUND_CONTRAST = 0.3
#: ... and by more than this share of the image's range (the tones of a plate of faint text lie
#: close together) ...
_SURROUND_FLOOR = 0.05
#: ... and a line is part of the surroundings when more than half its pixels are; no side is
#: trimmed by more than this share of the image's height or width.
_SURROUND_MOST = 0.25


def surrounding_margins(image: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns around a plate that are neither of its colours:
    ``(top, bottom, left, right)``.

    A loose crop (a detector's box, a hand-drawn one) takes in some of what lies around the
    plate: the car's paint, a bumper, the plate holder, shadow. Where that differs from the
    plate, its edge against the plate stands at the row's ends like a "1", its blobs glue onto
    the characters that reach the plate's edge, and its contrast takes the threshold from a
    plate of faint text. The plate's two tones, its surface and its characters, are taken in
    the middle of the crop, where the plate surely is (the larger side of a two-means split is
    the surface). A row belongs to the surroundings when more than half of its pixels are
    unlike both tones (by more than :data:`_SURROUND_CONTRAST` of their difference and
    :data:`_SURROUND_FLOOR` of the image's range); such rows are counted from the outside in,
    then the columns within the rows left. Surroundings that look like the plate stay; the
    plate's own border or frame often goes, which holds nothing the reader needs.

    Unlike :func:`flat_margins` this is a guess, and it can cut into a character that reaches
    the plate's edge: the segmenter looks inside these margins only as one more look at a plate
    it reads unsurely, and keeps that look only when the reader reads it better (step 9); for
    any plate, it drops the thin bars that stand outside them at the ends of the row
    (:func:`_without_outer_bars`). And only when they take at least two lines off three sides
    or four: what a loose crop takes in
    shows all around the plate, while a tight crop's lines unlike the plate are its own, on one
    side or two (a European plate's blue strip, a frame, a bright end in uneven light), and
    looking inside those broke as many synthetic plates as it read.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image :func:`platedigits.preprocess.to_gray` accepts.

    Returns
    -------
    tuple of int
        Lines to drop at the top, bottom, left and right; all 0 when nothing around the plate
        stands apart from it (a tight crop).

    Examples
    --------
    >>> plate = np.full((20, 60), 200, np.uint8); plate[5:15, 10:50:8] = 0
    >>> rng = np.random.default_rng(0)
    >>> framed = np.pad(plate, 3, mode="constant", constant_values=100)
    >>> framed[framed == 100] = rng.integers(70, 130, np.count_nonzero(framed == 100))
    >>> surrounding_margins(framed)
    (3, 3, 3, 3)
    >>> surrounding_margins(plate)
    (0, 0, 0, 0)
    """
    unit = _unit_channels(image)
    if unit is None:
        return 0, 0, 0, 0
    pixels, block = unit
    h, w = pixels.shape[:2]
    centre = pixels[h // 4 : h - h // 4, w // 5 : w - w // 5].reshape(-1, pixels.shape[2])
    darker = _darker_side(centre)
    if darker.all() or not darker.any():
        return 0, 0, 0, 0
    # Text covers less of a plate than its surface does.
    surface_side = darker if 2 * np.count_nonzero(darker) >= len(darker) else ~darker
    surface = np.median(centre[surface_side], axis=0)
    ink = np.median(centre[~surface_side], axis=0)
    limit = max(
        _SURROUND_FLOOR * float(pixels.max() - pixels.min()),
        _SURROUND_CONTRAST * float(np.abs(surface - ink).max()),
    )

    def distance(colour: np.ndarray) -> np.ndarray:
        """Each pixel's largest difference from ``colour`` over the channels, ``(h, w)`` (a
        channel at a time: numpy reduces a last axis of three slowly)."""
        far = np.abs(pixels[:, :, 0] - colour[0])
        for channel in range(1, pixels.shape[2]):
            np.maximum(far, np.abs(pixels[:, :, channel] - colour[channel]), out=far)
        return far

    unlike = np.minimum(distance(surface), distance(ink)) > limit

    def outer_run(lines: np.ndarray, most: int) -> int:
        """How many of the outermost of ``lines`` (first first) are mostly unlike the plate."""
        mostly = np.count_nonzero(lines[:most], axis=1) * 2 > lines.shape[1]
        return int(np.argmin(np.append(mostly, False)))

    top = outer_run(unlike, int(_SURROUND_MOST * h))
    bottom = outer_run(unlike[::-1], int(_SURROUND_MOST * h))
    across = unlike[top : h - bottom].T
    left = outer_run(across, int(_SURROUND_MOST * w))
    right = outer_run(across[::-1], int(_SURROUND_MOST * w))
    return top * block, bottom * block, left * block, right * block


def segment_plate(
    image: np.ndarray, *, method: str = "otsu", judge: Judge | None = None
) -> PlateSegmentation:
    """Find the characters of a whole plate, left to right.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image :func:`platedigits.preprocess.to_gray` accepts: ``(H, W)``,
        ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA.
    method : str, keyword-only
        Accepted for symmetry with single characters; plates are always thresholded with Otsu
        per polarity (the local methods mistake a plate's flat areas for texture).
    judge : callable, optional, keyword-only
        ``judge(masks) -> scores``: how much each of a list of ``(h_i, w_i)`` ``uint8``
        character masks looks like a character, ``(n,)`` ``float`` (a reader's confidence in
        each; a set of masks is judged by their mean). When the two polarities give about
        equally good lines, the one the judge prefers wins, characters glued together are
        cut where it reads both halves far better than the whole (step 7 above), and an
        unsure reading gets a second look at its row, in grey and inside its surroundings
        (step 9). Without it, the line's shape alone decides, glued characters narrower than
        1.5 widths stay whole, and there is one look.

    Returns
    -------
    PlateSegmentation
        Empty (no boxes) when nothing looks like a line of characters.

    Examples
    --------
    >>> from platedigits.synth import render_plate
    >>> plate, boxes = render_plate("12 345", rng=np.random.default_rng(0), layout="plain")
    >>> len(segment_plate(plate).boxes)
    5
    """
    del method
    image = np.asarray(image)
    height, width = image.shape[:2]
    top, bottom, left, right = flat_margins(image)
    inner = (top, height - bottom, left, width - right)
    if judge is None:
        return _segment_within(image, inner, judge)
    found, sure = _two_looks(image, inner, judge, grey=False)
    colour = image.ndim == 3 and image.shape[2] >= 3 and image.dtype == np.uint8
    if colour and _unsure(sure, found):
        # The contrast channel follows the plate's main colours; where the text's contrast
        # lies elsewhere (or the surroundings took the main axis), grey can tell them apart.
        other, other_sure = _two_looks(image, inner, judge, grey=True)
        if _worth(other_sure) > _worth(sure):
            found, sure = other, other_sure
    # A loose crop: what lies around the plate may have glued itself to the characters, stood
    # at the row's ends like a "1" or taken the threshold.
    top, bottom, left, right = surrounding_margins(image[inner[0] : inner[1], inner[2] : inner[3]])
    if sum(lines >= 2 for lines in (top, bottom, left, right)) < 3:
        return found
    box = (inner[0] + top, inner[1] - bottom, inner[2] + left, inner[3] - right)
    if _unsure(sure, found):
        other, other_sure = _two_looks(image, box, judge, grey=False)
        if _worth(other_sure) > _worth(sure):
            return other
    # Looked inside or not, the box says where the plate ends.
    return _without_outer_bars(found, box)


def _unsure(sure: np.ndarray, found: PlateSegmentation) -> bool:
    """Whether a look whose characters the judge scored ``(n,)`` ``sure`` is worth another:
    fewer than three characters, any read less surely than :data:`_SURE`, or a hole in the
    row (see :func:`_row_has_hole`)."""
    return len(sure) < 3 or float(sure.min()) < _SURE or _row_has_hole(found.boxes)


#: :func:`_row_has_hole`: neighbours standing this many times the row's usual distance apart.
_HOLE = 2.2


def _row_has_hole(boxes: list[Box]) -> bool:
    """Whether two neighbouring characters stand more than :data:`_HOLE` times the row's
    median distance apart: characters between them were lost (a threshold or a glued blob),
    while the gap between a plate's groups is about one and a half."""
    if len(boxes) < 3:
        return False
    centres = sorted(x + w / 2.0 for x, _, w, _ in boxes)
    steps = [b - a for a, b in itertools.pairwise(centres)]
    return max(steps) > _HOLE * _median(steps)


#: :func:`_without_outer_bars`: a character narrower than this share of the row's median
#: height is a bar.
_OUTER_BAR = 0.4


def _without_outer_bars(
    found: PlateSegmentation, box: tuple[int, int, int, int]
) -> PlateSegmentation:
    """``found`` without the thin bars at the ends of its row that stand in the surroundings:
    whose centre lies outside ``box`` (``(top, bottom, left, right)`` in the image's frame, the
    plate inside its surroundings), from each end inward until a character does not. They are
    the edges of what lies around the plate, read as "1"s (over 25 sets: 14 plates more read,
    none fewer; 2 of them after a losing look inside the box, 12 read surely at first)."""
    top, bottom, left, right = box
    heights = sorted(h for _, _, _, h in found.boxes)
    if not heights:
        return found
    row_height = heights[len(heights) // 2]

    def outer_bar(index: int) -> bool:
        x, y, w, h = found.boxes[index]
        inside = left <= x + w / 2 < right and top <= y + h / 2 < bottom
        return w < _OUTER_BAR * row_height and not inside

    first, last = 0, len(found.boxes)
    while first < last and outer_bar(first):
        first += 1
    while last > first and outer_bar(last - 1):
        last -= 1
    if (first, last) == (0, len(found.boxes)):
        return found
    return replace(found, boxes=found.boxes[first:last], masks=found.masks[first:last])


def _worth(sure: np.ndarray) -> float:
    """What a look's characters are worth, from the judge's ``(n,)`` scores of them: each
    counts by how far it stands above the doubt of :data:`_SURE` (below, against the look)."""
    return float(np.sum(sure - _SURE))


def _two_looks(
    image: np.ndarray, box: tuple[int, int, int, int], judge: Judge, *, grey: bool
) -> tuple[PlateSegmentation, np.ndarray]:
    """The segmentation of ``image`` inside ``box`` and the judge's scores of its characters,
    after a second look at the row when the first is unsure (step 9)."""
    found = _segment_within(image, box, judge, grey=grey)
    sure = judge(found.masks)
    if len(found.boxes) < 3 or sure.min() >= _SURE:
        return found, sure
    row = _row_box(found.boxes, box)
    if row == box:
        return found, sure
    # A character the reader is unsure of often means the first look went wrong somewhere
    # (a threshold swayed by what lies around the row, too few pixels per stroke). The row
    # cropped out and segmented again gets its own threshold and working scale; of the two,
    # the one whose characters the reader reads more surely, and more of them, wins.
    again = _segment_within(image, row, judge, grey=grey)
    again_sure = judge(again.masks)
    return (again, again_sure) if _worth(again_sure) > _worth(sure) else (found, sure)


def _segment_within(
    image: np.ndarray, box: tuple[int, int, int, int], judge: Judge | None, *, grey: bool = False
) -> PlateSegmentation:
    """:func:`_segment` of ``image[top:bottom, left:right]``, boxes in ``image``'s frame."""
    top, bottom, left, right = box
    height, width = image.shape[:2]
    if (top, bottom, left, right) == (0, height, 0, width):
        return _segment(image, judge, grey=grey)
    found = _segment(image[top:bottom, left:right], judge, grey=grey)
    return replace(found, boxes=[(x + left, y + top, w, h) for x, y, w, h in found.boxes])


_SURE = 0.7
"""A look in which the judge reads every character at least this surely is kept as is; and the
doubt from which :func:`_worth` counts each character's score."""
_ROW_SIDE = 0.3
"""Room left beside the row's ends for a second look, in character heights."""
_ROW_ABOVE = 0.15
"""... and above and below it."""


def _row_box(boxes: list[Box], within: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` of the row of ``boxes`` with some room, inside ``within``."""
    found = np.array(boxes, dtype=np.float64)
    href = float(np.median(found[:, 3]))
    top, bottom, left, right = within
    return (
        max(top, int(found[:, 1].min() - _ROW_ABOVE * href)),
        min(bottom, int(np.ceil((found[:, 1] + found[:, 3]).max() + _ROW_ABOVE * href))),
        max(left, int(found[:, 0].min() - _ROW_SIDE * href)),
        min(right, int(np.ceil((found[:, 0] + found[:, 2]).max() + _ROW_SIDE * href))),
    )


def _segment(image: np.ndarray, judge: Judge | None, *, grey: bool = False) -> PlateSegmentation:
    """:func:`segment_plate` of an image without flat padding, in its contrast channel or
    in ``grey``."""
    height, width = image.shape[:2]
    scale = _working_scale(height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if height > 2 * _BLOCK_HEIGHT and image.dtype == np.uint8:
        # A photo of megapixels is shrunk before its colours are weighed: the plate's main
        # colours are the same, at a small part of the time and memory (1.2 s and 300 MB less
        # for 12 megapixels).
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    gray = to_gray(image) if grey else _contrast_channel(image)
    if gray.shape != (size[1], size[0]):
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, size, interpolation=interp)
    groups, labels, binary, slope, dark, wide = _best(gray, judge=judge)
    if len(groups) >= 3:
        slope = _baseline_slope(groups)
    h, w = gray.shape
    # ``transform`` maps input (working-scale) coordinates to those of the straightened plate.
    transform = np.eye(3)
    angle = float(np.degrees(np.arctan(slope)))
    if len(groups) >= 3 and abs(angle) >= _DESKEW_MIN_DEGREES:
        rotation = np.vstack([cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0), [0, 0, 1]])
        turned = _best(_warp(gray, rotation @ transform), polarity=dark)
        # Straightening resamples the plate, which can glue thin gaps shut: kept when the line
        # does not come out clearly worse.
        if _quality(turned[0]) >= 0.75 * _quality(groups):
            groups, labels, binary, _, dark, wide = turned
            transform = rotation @ transform
        else:
            angle = 0.0
    else:
        angle = 0.0
    shear = _shear(binary, groups)
    if len(groups) >= 3:
        # The band's count is swayed by a frame side leaning another way than the characters;
        # the characters' own shears are not, but each is a rough vote: they only overrule it.
        own = _shear_of_characters(groups, labels)
        if own is not None and abs(own - shear) > _SHEAR_TOLERANCE:
            shear = own if abs(own) >= _SHEAR_TOLERANCE / 2 else 0.0
    slant = 0.0  # the shear undone, if any
    if shear != 0.0:
        shearing = np.array([[1.0, shear, -shear * h / 2.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        candidate = shearing @ transform
        sheared = _best(_warp(gray, candidate), polarity=dark)
        if len(sheared[0]) >= 3 or _quality(sheared[0]) >= _quality(groups):
            groups, labels, binary, _, dark, wide = sheared
            transform = candidate
            slant = shear
    # Only now: what the rotation, shear and polarity were judged on stays as it was.
    groups = _trim_knobs(_drop_off_row(groups), labels)
    identity = np.allclose(transform, np.eye(3))
    groups, labels = _faint_first(
        groups, labels, lambda: gray if identity else _warp(gray, transform), dark=dark
    )
    groups = _rejoin_width_cuts(groups, labels, judge)
    groups = _split_joined(groups, labels, binary, judge)
    groups = _cut_too_wide(groups, wide, labels, binary, judge)
    groups = _drop_thin_end_bars(groups, labels)
    # Left to right by centre: the pieces _split_wide cut a blob into take the blob's place in
    # the list, ahead of a separate character that starts left of them under the blob.
    groups = sorted(groups, key=lambda g: g.x0 + g.x1)
    if judge is not None:
        groups = _drop_wrapping_ends(groups)
    inverse = None if np.allclose(transform, np.eye(3)) else np.linalg.inv(transform)[:2]
    boxes: list[Box] = []
    masks: list[np.ndarray] = []
    for g in groups:
        mask = _mask(g, labels)
        if mask.size == 0:
            continue
        cx, cy = (g.x0 + g.x1) / 2.0, (g.y0 + g.y1) / 2.0
        if inverse is not None:
            cx, cy = inverse @ np.array([cx, cy, 1.0])
        # In the slanted input a character's upright box is wider by the slant over its height.
        bw, bh = (g.w + abs(slant) * g.h) / scale, g.h / scale
        x0 = min(max(round(cx / scale - bw / 2), 0), width - 1)
        y0 = min(max(round(cy / scale - bh / 2), 0), height - 1)
        boxes.append(
            (x0, y0, max(1, min(width - x0, round(bw))), max(1, min(height - y0, round(bh))))
        )
        masks.append(mask)
    return PlateSegmentation(boxes=boxes, masks=masks, binary=binary, angle=angle, dark_text=dark)


def find_character_boxes(binary: np.ndarray) -> list[Box]:
    """Find the character boxes in an already binarized plate (characters 255 on 0).

    Parameters
    ----------
    binary : numpy.ndarray
        ``(H, W)`` ``uint8``.

    Returns
    -------
    list of tuple of int
        ``(x, y, w, h)`` boxes ordered left to right, in ``binary``'s coordinates; empty when
        nothing looks like a character. No scaling or straightening is done.
    """
    groups, _, _, _ = _segment_binary(binary)
    return [(g.x0, g.y0, g.w, g.h) for g in _drop_off_row(groups)]


def plate_segmentation(
    image: np.ndarray, *, judge: Judge | None = None
) -> PlateSegmentation | None:
    """The plate's segmentation when ``image`` looks like a whole plate, else None.

    A plate is much wider than tall and holds a line of several character-sized blobs; a
    single-character crop is about as wide as tall, and what it shows of its neighbours is cut
    by the crop's edges. The segmentation is returned so that reading the plate need not
    segment it again.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image.
    judge : callable, optional, keyword-only
        See :func:`segment_plate`.

    Returns
    -------
    PlateSegmentation or None
    """
    h, w = image.shape[:2]
    if w < 1.3 * h:
        return None
    segmentation = segment_plate(image, judge=judge)
    found = len(segmentation.boxes)
    if found >= 3 or (found >= 2 and w >= 2.5 * h):
        return segmentation
    return None


def looks_like_plate(image: np.ndarray) -> bool:
    """Guess whether an image shows a whole plate rather than one character.

    See :func:`plate_segmentation` for the rule.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image.

    Returns
    -------
    bool
    """
    return plate_segmentation(image) is not None
