"""Synthetic plate characters and plates, generated from the project's own glyphs.

:func:`render_character` draws one plate-like character crop: a glyph from
:mod:`platedigits.glyphs` (parametric families or OpenCV's Hershey faces) with the variety real
plates show: rotation, perspective and shear; neighbouring characters, plate frame, rivets and
the separator dot at the crop edges; loose and tight crops; plate colours in both polarities;
uneven light and shadows; low resolution, blur, noise and JPEG artefacts.

Every function takes its randomness from a ``numpy.random.Generator`` (or a seed) passed in, never
from global state, so the same seed gives the same pixels.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from platedigits import glyphs
from platedigits._cv import cv2

__all__ = [
    "PLATE_COLOURS",
    "SynthOptions",
    "character_dataset",
    "render_character",
    "render_plate",
    "write_character_dataset",
]

# (name, background BGR, text BGR): colour schemes of real plates.
PLATE_COLOURS: tuple[tuple[str, tuple[int, int, int], tuple[int, int, int]], ...] = (
    ("blue", (160, 60, 10), (245, 245, 245)),  # China, white on blue
    ("yellow", (20, 200, 235), (20, 20, 20)),  # China large vehicles, NL, UK rear, many others
    ("white", (235, 235, 235), (20, 20, 20)),  # EU, UK front, US, Latin America
    ("green", (110, 200, 100), (20, 20, 20)),  # China new-energy
    ("green_white", (60, 120, 20), (240, 240, 240)),  # green with white text
    ("black", (25, 25, 25), (235, 235, 235)),  # old/black plates, white text
    ("red_text", (235, 235, 235), (40, 40, 200)),  # white plate, red text (trade, some countries)
    ("blue_text", (230, 230, 230), (140, 50, 20)),  # white plate, blue/dark blue text
    ("red", (40, 40, 190), (240, 240, 240)),  # red plate, white text
    ("silver", (190, 190, 185), (30, 30, 30)),
)

_NEIGHBOUR_CHARS = glyphs.DIGITS + glyphs.LETTERS


@dataclass(frozen=True)
class SynthOptions:
    """Knobs of the character generator (the defaults are what the shipped model is trained on).

    ``families``: glyph families to draw from (None = all of :data:`glyphs.FAMILIES`);
    ``hershey``: share of characters drawn with OpenCV's Hershey faces instead;
    ``clutter``: scale of the probabilities of neighbours, frame, rivets and dots at the edges;
    ``low_res``: share of characters rendered 8-12 px tall; ``geometry`` and ``degrade`` scale
    the strength of the warps and of blur/noise/light/JPEG.
    ``max_disagreement``: the datasets (not :func:`render_character`) re-draw a sample whose
    features, as the real pipeline (:mod:`platedigits.preprocess`) computes them from the crop,
    differ from those of the character's own clean ink by more than this (mean absolute
    difference of the 25 window ratios): a crop whose binarization or cropping lost the
    character (a shadow split it, a neighbour merged into it) carries no readable label, the
    same way such crops are weeded out of real labelled sets. None keeps every sample.
    """

    families: tuple[str, ...] | None = None
    hershey: float = 0.15
    clutter: float = 0.5
    low_res: float = 0.25
    geometry: float = 1.0
    degrade: float = 1.0
    max_disagreement: float | None = 0.25


DEFAULT_OPTIONS = SynthOptions()


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _glyph(
    char: str, rng: np.random.Generator, height: int, options: SynthOptions, style=None
) -> tuple[np.ndarray, tuple[int, int, int, int], object]:
    """A white-on-black glyph mask, its nominal box and the style used (for neighbours)."""
    if style is None:
        if char in glyphs.CJK_LIKE or rng.random() >= options.hershey:
            style = glyphs.random_style(rng, families=options.families)
        else:
            face = glyphs.HERSHEY_FACES[int(rng.integers(len(glyphs.HERSHEY_FACES)))]
            style = ("hershey", face, _u(rng, 0.01, 0.09), bool(rng.random() < 0.15))
    if isinstance(style, tuple):
        _, face, stroke, italic = style
        try:
            mask, box = glyphs.render_hershey(char, face, height, stroke=stroke, italic=italic)
            return mask, box, style
        except KeyError:
            style = glyphs.random_style(rng, families=options.families)
    mask, box = glyphs.render_glyph(char, style, height)
    return mask, box, style


def _paste(canvas: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Max-blend ``mask`` into ``canvas`` with its top-left at (x, y), clipped to the canvas."""
    h, w = mask.shape
    ch, cw = canvas.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(cw, x + w), min(ch, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    np.maximum(region, mask[y0 - y : y1 - y, x0 - x : x1 - x], out=region)


def _character_scene(
    char: str, rng: np.random.Generator, options: SynthOptions, height: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ink (uint8) of the character and its surroundings, the plate-outside mask, and the cell.

    Returns ``(ink, outside, cell, char_ink)`` where ``cell`` is the 4x2 float corners of the
    character's nominal box in canvas coordinates and ``char_ink`` the character's ink alone.
    """
    mask, box, style = _glyph(char, rng, height, options)
    bx, by, bw, bh = box
    pitch_gap = _u(rng, 0.12, 0.4) * height
    side = int(2.2 * height)
    ch, cw = height + 2 * side, bw + 2 * side
    ink = np.zeros((ch, cw), np.uint8)
    ox, oy = side - bx, side - by
    _paste(ink, mask, ox, oy)
    char_ink = ink.copy()
    cell = np.array(
        [[side, side], [side + bw, side], [side + bw, side + bh], [side, side + bh]], np.float64
    )
    c = options.clutter
    # Neighbouring characters on the left and right, same style, one pitch away.
    for direction in (-1, 1):
        if rng.random() < 0.45 * c:
            other = _NEIGHBOUR_CHARS[int(rng.integers(len(_NEIGHBOUR_CHARS)))]
            nmask, nbox, _ = _glyph(other, rng, height, options, style)
            nbx, nby, nbw, _ = nbox
            gap = pitch_gap
            if rng.random() < 0.12 * c:
                gap += 0.35 * height  # a group gap, maybe with the separator dot in it
                dot_r = max(1, int(_u(rng, 0.04, 0.08) * height))
                dx = side + bw + gap / 2 if direction > 0 else side - gap / 2
                if rng.random() < 0.6:
                    cv2.circle(
                        ink, (int(dx), int(side + height * _u(rng, 0.4, 0.6))), dot_r, 255, -1
                    )
            x = side + bw + gap - nbx if direction > 0 else side - gap - nbw - nbx
            _paste(ink, nmask, round(x), side - nby + int(_u(rng, -0.03, 0.03) * height))
    # Plate frame above / below, and a vertical plate edge at a side.
    thick = max(1, int(_u(rng, 0.03, 0.09) * height))
    for ypos in (side - _u(rng, 0.08, 0.4) * height, side + height + _u(rng, 0.08, 0.4) * height):
        if rng.random() < 0.25 * c:
            yy = int(ypos)
            cv2.line(ink, (0, yy), (cw - 1, yy), 255, thick)
    if rng.random() < 0.08 * c:
        xx = (
            int(side - _u(rng, 0.1, 0.5) * height)
            if rng.random() < 0.5
            else int(side + bw + _u(rng, 0.1, 0.5) * height)
        )
        cv2.line(ink, (xx, 0), (xx, ch - 1), 255, thick)
    # Rivets / screw heads in the margin above or below the character.
    if rng.random() < 0.08 * c:
        r = max(1, int(_u(rng, 0.05, 0.1) * height))
        ry = (
            side - int(_u(rng, 0.15, 0.35) * height)
            if rng.random() < 0.5
            else side + height + int(_u(rng, 0.15, 0.35) * height)
        )
        cv2.circle(
            ink,
            (int(side + _u(rng, -0.3, 1.3) * bw), ry),
            r,
            255,
            -1 if rng.random() < 0.6 else thick,
        )
    # Outside of the plate (car body) beyond a margin.
    outside = np.zeros_like(ink)
    if rng.random() < 0.12 * c:
        which = int(rng.integers(4))
        m = int(_u(rng, 0.12, 0.5) * height)
        if which == 0:
            outside[: side - m] = 255
        elif which == 1:
            outside[side + height + m :] = 255
        elif which == 2:
            outside[:, : side - m] = 255
        else:
            outside[:, side + bw + m :] = 255
    return ink, outside, cell, char_ink


def _random_homography(rng: np.random.Generator, cell: np.ndarray, strength: float) -> np.ndarray:
    """Rotation, shear, anisotropic scale and a little perspective about the cell's centre."""
    centre = cell.mean(axis=0)
    h = float(cell[2, 1] - cell[0, 1])
    angle = np.deg2rad(_u(rng, -7, 7) * strength)
    shear = _u(rng, -0.18, 0.18) * strength
    sx = 1.0 + _u(rng, -0.15, 0.15) * strength  # condensed / wide
    ca, sa = np.cos(angle), np.sin(angle)
    a = np.array([[ca, -sa], [sa, ca]]) @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, 1.0])
    m = np.eye(3)
    m[:2, :2] = a
    m[:2, 2] = centre - a @ centre
    src = cell.astype(np.float32)
    dst = (src - centre) @ a.T + centre
    jitter = rng.uniform(-0.05, 0.05, size=(4, 2)) * h * strength
    p = cv2.getPerspectiveTransform(src, (dst + jitter).astype(np.float32))
    return np.asarray(p, np.float64)


def _colours(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Background, text and outside colours (float BGR)."""
    if rng.random() < 0.8:
        _, bg, fg = PLATE_COLOURS[int(rng.integers(len(PLATE_COLOURS)))]
        bgc = np.array(bg, np.float64) + rng.normal(0, 14, 3)
        fgc = np.array(fg, np.float64) + rng.normal(0, 14, 3)
    else:  # any two grey levels with enough contrast, either way round
        a = _u(rng, 0, 110)
        b = _u(rng, a + 70, 255)
        bgc, fgc = (
            (np.full(3, a), np.full(3, b)) if rng.random() < 0.5 else (np.full(3, b), np.full(3, a))
        )
    # Faded / low-contrast text: pull the text colour towards the plate.
    fade = _u(rng, 0.0, 0.45) if rng.random() < 0.3 else 0.0
    fgc = fgc + (bgc - fgc) * fade
    out = rng.uniform(0, 255, 3)
    return bgc, fgc, out


def _lighting(rng: np.random.Generator, h: int, w: int, strength: float) -> np.ndarray:
    """Multiplicative light field: gradient plus maybe a soft-edged shadow."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx /= max(w - 1, 1)
    yy /= max(h - 1, 1)
    g = 1.0 + strength * (_u(rng, -0.3, 0.3) * (xx - 0.5) + _u(rng, -0.3, 0.3) * (yy - 0.5))
    if rng.random() < 0.12 * strength:
        angle = _u(rng, 0, 2 * np.pi)
        d = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5) - _u(rng, -0.3, 0.3)
        soft = _u(rng, 0.02, 0.15)
        shade = 1.0 / (1.0 + np.exp(-d / soft))
        g *= 1.0 - _u(rng, 0.2, 0.45) * shade
    return np.clip(g, 0.2, 1.6).astype(np.float32)


def render_character(
    char: str, *, rng: np.random.Generator, options: SynthOptions = DEFAULT_OPTIONS
) -> np.ndarray:
    """One synthetic plate-like crop of ``char``: ``(H, W, 3)`` ``uint8`` BGR.

    ``char`` is a digit, a letter A-Z or one of :data:`glyphs.CJK_LIKE`.
    """
    return _render(char, rng, options)[0]


def _render(
    char: str, rng: np.random.Generator, options: SynthOptions
) -> tuple[np.ndarray, np.ndarray]:
    """The crop and the character's own clean ink in it (uint8 0/255, same size)."""
    work_h = 56
    ink, outside, cell, char_ink = _character_scene(char, rng, options, work_h)
    hom = _random_homography(rng, cell, options.geometry)
    # Crop box around the warped cell: loose or tight, never more than slightly into the glyph.
    warped_cell = cv2.perspectiveTransform(cell[None].astype(np.float32), hom)[0]
    x0, y0 = warped_cell.min(axis=0)
    x1, y1 = warped_cell.max(axis=0)
    ch = y1 - y0
    tight = rng.random() < 0.4

    def margin() -> float:
        return _u(rng, -0.02, 0.08) * ch if tight else _u(rng, 0.03, 0.4) * ch

    # Sideways, a crop usually extends to about half the gap to the neighbours (a square-ish box).
    target_w = max(x1 - x0, _u(rng, 0.45, 0.85) * ch) if rng.random() < 0.6 else x1 - x0
    extra = (target_w - (x1 - x0)) / 2
    box = np.array([x0 - extra - margin(), y0 - margin(), x1 + extra + margin(), y1 + margin()])
    bw, bh = box[2] - box[0], box[3] - box[1]
    # Output resolution: character height in pixels.
    char_px = _u(rng, 8, 12.5) if rng.random() < options.low_res else _u(rng, 12.5, 44)
    f = char_px / ch
    out_w, out_h = max(3, round(bw * f)), max(3, round(bh * f))
    shift = np.array([[f, 0, -box[0] * f], [0, f, -box[1] * f], [0, 0, 1]])
    full = shift @ hom
    # Warp at 4x the output size then area-downscale: anti-aliased like a camera.
    ss = 4
    up = np.diag([ss, ss, 1.0]) @ full
    ink_hi = cv2.warpPerspective(ink, up, (out_w * ss, out_h * ss), flags=cv2.INTER_LINEAR)
    out_hi = cv2.warpPerspective(outside, up, (out_w * ss, out_h * ss), flags=cv2.INTER_NEAREST)
    char_hi = cv2.warpPerspective(char_ink, up, (out_w * ss, out_h * ss), flags=cv2.INTER_LINEAR)
    clean = cv2.resize(char_hi, (out_w, out_h), interpolation=cv2.INTER_AREA)
    clean = np.where(clean >= 128, 255, 0).astype(np.uint8)
    a: np.ndarray = (
        cv2.resize(ink_hi, (out_w, out_h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    )
    o: np.ndarray = (
        cv2.resize(out_hi, (out_w, out_h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    )
    # Optics: blur before colour mixing is equivalent and cheaper.
    deg = options.degrade
    if rng.random() < 0.5 * deg:
        sigma = _u(rng, 0.2, 0.3 + 0.03 * char_px) * min(deg, 1.0)
        a = cv2.GaussianBlur(a, (0, 0), sigma)
        o = cv2.GaussianBlur(o, (0, 0), sigma)
    bg, fg, outc = _colours(rng)
    img = (bg[None, None, :] * (1 - a[..., None]) + fg[None, None, :] * a[..., None]) * (
        1 - o[..., None]
    ) + outc[None, None, :] * o[..., None]
    img *= _lighting(rng, out_h, out_w, deg)[..., None]
    if rng.random() < 0.7 * deg:
        img += rng.normal(0.0, _u(rng, 1.0, 12.0) * deg, img.shape)
    img8 = np.clip(np.round(img), 0, 255).astype(np.uint8)
    if rng.random() < 0.4 * deg:
        quality = int(rng.integers(25, 95))
        ok, buf = cv2.imencode(".jpg", img8, [cv2.IMWRITE_JPEG_QUALITY, quality])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            img8 = decoded
    return img8, clean


def _sample_rng(seed: int, class_index: int, i: int) -> np.random.Generator:
    # One independent stream per sample: any subset can be regenerated alone, in any order.
    return np.random.default_rng([int(seed), class_index, i])


def pipeline_disagreement(image: np.ndarray, clean: np.ndarray) -> float:
    """Mean absolute difference between the pipeline's features of ``image`` and those of the
    clean character mask ``clean`` (see :attr:`SynthOptions.max_disagreement`)."""
    from platedigits.features import window_ratios
    from platedigits.preprocess import normalize_character, prepare_character

    ys, xs = np.nonzero(clean)
    if len(ys) == 0:
        return float("inf")
    reference = window_ratios(
        normalize_character(clean[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    )
    return float(np.mean(np.abs(window_ratios(prepare_character(image)) - reference)))


_MAX_TRIES = 12


def _sample(label: str, seed: int, k: int, i: int, options: SynthOptions) -> np.ndarray:
    """Sample ``i`` of class ``k``: re-drawn (same stream) until the pipeline can read it."""
    rng = _sample_rng(seed, k, i)
    image, clean = _render(label, rng, options)
    if options.max_disagreement is None or label in glyphs.CJK_LIKE:
        # many-part symbols are not single connected characters: the check does not apply
        return image
    for _ in range(_MAX_TRIES - 1):
        if pipeline_disagreement(image, clean) <= options.max_disagreement:
            break
        image, clean = _render(label, rng, options)
    return image


def character_dataset(
    *,
    per_class: int,
    seed: int,
    classes: str | Sequence[str] = glyphs.DIGITS,
    options: SynthOptions = DEFAULT_OPTIONS,
) -> tuple[list[np.ndarray], list[str]]:
    """``per_class`` crops of every class, in memory: ``(images, labels)``, class by class.

    Deterministic: the same arguments always give the same pixels.
    """
    if per_class < 0:
        raise ValueError(f"per_class must be >= 0, got {per_class}")
    images: list[np.ndarray] = []
    labels: list[str] = []
    for k, label in enumerate(classes):
        for i in range(per_class):
            images.append(_sample(label, seed, k, i, options))
            labels.append(label)
    return images, labels


def write_character_dataset(
    out_dir: str | os.PathLike[str],
    *,
    per_class: int,
    seed: int,
    classes: str | Sequence[str] = glyphs.DIGITS,
    options: SynthOptions = DEFAULT_OPTIONS,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write ``OUT/<label>/<label>_<i:05d>.png`` for every class; returns the number written.

    ``progress``, when given, is called with 1 after each image (a progress bar's update).
    """
    out = Path(out_dir)
    count = 0
    for k, label in enumerate(classes):
        folder = out / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            image = _sample(label, seed, k, i, options)
            ok, buf = cv2.imencode(".png", image)
            if not ok:  # pragma: no cover - PNG encoding of a uint8 array does not fail
                raise RuntimeError(f"could not encode {label} #{i}")
            (folder / f"{label}_{i:05d}.png").write_bytes(buf.tobytes())
            count += 1
            if progress is not None:
                progress(1)
    return count


# --------------------------------------------------------------------------- whole plates

_LAYOUTS = ("br", "cn", "eu", "plain", "us")


def _mercosur_band(img: np.ndarray, band: int, h: int, rng: np.random.Generator) -> None:
    """Paint a Mercosur plate's top band into ``img`` (float BGR, modified in place): blue, with
    a small white country name in the middle, an emblem at the left and a flag at the right."""
    width = img.shape[1]
    img[:band] = (150, 70, 10)
    y = band // 2
    small = max(2, band // 3)
    letters = int(rng.integers(6, 10))
    start = width // 2 - letters * small // 2
    for k in range(letters):
        x = start + k * small
        cv2.rectangle(
            img, (x, y - small // 2), (x + max(1, small // 2), y + small // 2), (240,) * 3, -1
        )
    r = max(2, band // 3)
    cv2.circle(img, (max(r + 2, band // 2 + 2), y), r, (240, 240, 240), max(1, r // 3))
    fx = width - max(band, 3 * r)
    cv2.rectangle(img, (fx, y - r), (fx + 2 * r, y + r), (40, 150, 30), -1)
    cv2.circle(img, (fx + r, y), max(1, r // 2), (200, 110, 30), -1)


def render_plate(
    text: str,
    *,
    rng: np.random.Generator,
    layout: str | None = None,
    char_height: int | None = None,
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A synthetic whole plate showing ``text``: ``(image BGR uint8, boxes)``.

    ``boxes`` holds ``(x, y, w, h)`` of the ink of every drawn character of ``text`` in order
    (spaces, ``-`` and ``·`` are drawn as gaps, a hyphen and a separator dot, and get no box).
    Layouts: ``cn`` (Chinese: frame, dot after the second character), ``eu`` (blue band at the
    left), ``us`` (wide margins, state line on top), ``br`` (Mercosur: a blue band across the
    top with a small country name, an emblem and a flag), ``plain``; None picks one at random.
    The plate is upright (no perspective), so the boxes are exact.
    """
    if layout is None:
        layout = _LAYOUTS[int(rng.integers(len(_LAYOUTS)))]
    if layout not in _LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {_LAYOUTS}")
    h = int(char_height) if char_height is not None else int(rng.integers(20, 48))
    style = glyphs.random_style(rng, families=("gb",) if layout == "cn" else None)
    pitch_gap = round(_u(rng, 0.12, 0.25) * h)
    masks: list[tuple[str, np.ndarray | None, tuple[int, int, int, int]]] = []
    for ch in text:
        if ch in " -·":
            masks.append((ch, None, (0, 0, int(0.45 * h), h)))
        else:
            gmask, gbox = glyphs.render_glyph(ch, style, h)
            masks.append((ch, gmask, gbox))
    if layout == "cn" and len(text) >= 3 and not any(c in " -·" for c in text):
        masks.insert(2, ("·", None, (0, 0, int(0.45 * h), h)))
    left_band = int(0.55 * h) if layout == "eu" else 0
    margin_x = round(_u(rng, 0.3, 0.6) * h) + left_band
    top_band = int(_u(rng, 0.3, 0.42) * h) if layout == "br" else 0
    margin_top = round(_u(rng, 0.25, 0.4) * h) + (int(0.35 * h) if layout == "us" else 0) + top_band
    margin_bottom = round(_u(rng, 0.25, 0.4) * h)
    # Cell positions; a glyph whose ink spills out of its cell (a long flag, a slant) is moved
    # right so that the ink of neighbours never overlaps.
    min_gap = max(1, pitch_gap // 2)
    lefts: list[int] = []
    x, prev_right = margin_x, -(10**9)
    for _, mask, (bx, _, bw, _) in masks:
        if mask is not None:
            cols = np.flatnonzero((mask > 96).any(axis=0))
            ink_left = x - bx + int(cols[0])
            if ink_left < prev_right + min_gap:
                x += prev_right + min_gap - ink_left
            prev_right = x - bx + int(cols[-1]) + 1
        lefts.append(x)
        x += bw + pitch_gap
    width = max(x - pitch_gap, prev_right) + margin_x - left_band
    height = h + margin_top + margin_bottom
    ink = np.zeros((height, width), np.uint8)
    boxes: list[tuple[int, int, int, int]] = []
    for (ch, mask, (bx, by, bw, _)), x in zip(masks, lefts, strict=True):
        if mask is None:
            if ch == "·":
                cv2.circle(ink, (x + bw // 2, margin_top + h // 2), max(1, h // 14), 255, -1)
            elif ch == "-":
                cv2.line(
                    ink,
                    (x + bw // 5, margin_top + h // 2),
                    (x + 4 * bw // 5, margin_top + h // 2),
                    255,
                    max(1, int(style.stroke * h)),
                )
            continue
        layer = np.zeros_like(ink)
        _paste(layer, mask, x - bx, margin_top - by)
        ys, xs = np.nonzero(layer > 96)
        boxes.append(
            (
                int(xs.min()),
                int(ys.min()),
                int(xs.max() - xs.min() + 1),
                int(ys.max() - ys.min() + 1),
            )
        )
        np.maximum(ink, layer, out=ink)
    # Frame and rivets.
    thick = max(1, round(0.06 * h))
    inset = max(thick, int(0.1 * h))
    if layout in ("cn", "us", "plain", "br") and rng.random() < 0.8:
        cv2.rectangle(ink, (inset, inset), (width - 1 - inset, height - 1 - inset), 255, thick)
    if layout in ("us", "plain", "eu") and rng.random() < 0.7:
        r = max(2, h // 10)
        for rx in (int(width * 0.25), int(width * 0.75)):
            cv2.circle(ink, (rx, max(r + 1, margin_top // 2)), r, 255, -1)
    if layout == "us":
        # A thin "state name" line of small strokes above the characters.
        y = max(2, margin_top // 2)
        for k in range(int(rng.integers(4, 9))):
            xx = width // 2 - 3 * h // 2 + k * max(2, h // 3)
            cv2.line(ink, (xx, y), (xx + max(1, h // 6), y), 255, max(1, h // 16))
    bg, fg, _ = _colours(rng)
    a = ink.astype(np.float32)[..., None] / 255
    img = bg[None, None, :] * (1 - a) + fg[None, None, :] * a
    if left_band:
        img[:, :left_band] = (150, 50, 0)
        cv2.circle(img, (left_band // 2, height // 3), max(2, h // 8), (0, 200, 240), 1)
    if top_band:
        _mercosur_band(img, top_band, h, rng)
    img *= _lighting(rng, height, width, 0.5)[..., None]
    img += rng.normal(0.0, _u(rng, 1.0, 6.0), img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8), boxes
