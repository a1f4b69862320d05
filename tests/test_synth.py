"""The synthetic character and plate generator: determinism, coverage, shapes, layout."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from platedigits import glyphs, synth
from platedigits._cv import cv2
from platedigits.preprocess import binarize, to_gray


def test_same_seed_same_pixels_different_seed_different_pixels() -> None:
    a = synth.render_character("3", rng=np.random.default_rng(7))
    b = synth.render_character("3", rng=np.random.default_rng(7))
    c = synth.render_character("3", rng=np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)


def test_dataset_is_deterministic_and_labelled_class_by_class() -> None:
    images1, labels1 = synth.character_dataset(per_class=3, seed=11, classes="07")
    images2, labels2 = synth.character_dataset(per_class=3, seed=11, classes="07")
    assert labels1 == ["0", "0", "0", "7", "7", "7"] == labels2
    assert all(np.array_equal(x, y) for x, y in zip(images1, images2, strict=True))
    other, _ = synth.character_dataset(per_class=3, seed=12, classes="07")
    assert not all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(images1, other, strict=True)
    )


@pytest.mark.parametrize("char", [*list(glyphs.DIGITS + glyphs.LETTERS), "京", "粤"])
def test_every_class_renders_a_bgr_crop_with_ink(char: str) -> None:
    rng = np.random.default_rng(ord(char))
    for _ in range(3):
        image = synth.render_character(char, rng=rng)
        assert image.dtype == np.uint8
        assert image.ndim == 3 and image.shape[2] == 3
        assert image.shape[0] >= 3 and image.shape[1] >= 3
        assert int(image.max()) - int(image.min()) > 20  # something is drawn


def test_every_digit_variant_draws_distinct_ink() -> None:
    base = glyphs.GlyphStyle()
    for digit, keys in glyphs.DIGIT_VARIANTS.items():
        for key, choices in keys.items():
            masks = {
                choice: glyphs.render_glyph(
                    digit, glyphs.with_variants(base, {f"{digit}:{key}": choice}), 40
                )[0]
                for choice in set(choices)
            }
            for mask in masks.values():
                assert mask.dtype == np.uint8 and mask.max() == 255
            shapes = list(masks.values())
            distinct = {m.tobytes() for m in shapes}
            assert len(distinct) == len(shapes), f"{digit}:{key} variants look identical"


def test_every_letter_shape_range_changes_its_letter() -> None:
    # Some keys shape one form of their character only: the one they need is drawn.
    needs = {"1:drop": ({"1:flag": "long"}, {})}
    for key, (lo, hi) in glyphs.LETTER_RANGES.items():
        letter = key.split(":")[0]
        variants, shape = needs.get(key, ({}, {}))
        base = glyphs.GlyphStyle(variants=variants)
        low, high = (
            glyphs.render_glyph(letter, replace(base, shape={**shape, key: value}), 40)[0]
            for value in (lo, hi)
        )
        assert low.tobytes() != high.tobytes(), f"{key} does not change the {letter}"


def test_a_q_tail_below_the_line_is_drawn_whole() -> None:
    # Sans faces hang the Q's tail below the line; the renderer makes room for it instead of
    # cutting it off (a Q without its tail is an O, read as 0).
    for outer in (0.0, 1.0):
        style = replace(glyphs.GlyphStyle(), shape={"Q:drop": 0.2, "Q:outer": outer})
        mask, (_x, y, _w, h) = glyphs.render_glyph("Q", style, 50)
        rows = np.flatnonzero(mask.any(axis=1))
        assert rows[-1] >= y + h + 0.15 * 50, outer  # reaches well below the line
        assert rows[-1] < mask.shape[0] - 1, outer  # and is not clipped by the mask's edge


def test_a_j_without_its_bar_has_no_ink_top_left() -> None:
    for bar, inked in ((0.0, True), (1.0, False)):
        style = replace(glyphs.GlyphStyle(), shape={"J:bar": bar})
        mask, (x, y, w, h) = glyphs.render_glyph("J", style, 50)
        top_left = mask[y : y + h // 5, x : x + w // 2]
        assert bool(top_left.any()) is inked


def test_a_long_one_flag_is_drawn_steep_or_shallow() -> None:
    # Roboto's or URW Gothic's 1 has a long flag that barely drops; drawn only steep, such 1s
    # were read as 7.
    lowest = {}
    for drop in (0.0, 0.6):
        style = replace(
            glyphs.GlyphStyle(),
            variants={"1:flag": "long"},
            shape={"1:flag": 1.0, "1:drop": drop},
        )
        mask, (_x, y, _w, h) = glyphs.render_glyph("1", style, 60)
        stem = int(np.argmax(mask[y + h // 2]))  # the stem's left edge, half way down
        flag_rows = np.flatnonzero(mask[:, : stem - 2].any(axis=1))
        lowest[drop] = (flag_rows[-1] - y) / h
    assert lowest[0.0] > 0.28
    assert lowest[0.6] < 0.18


def test_new_letter_shapes_keep_the_earlier_ones(monkeypatch) -> None:
    # The letter-shape generator draws the keys in order: keys appended later leave the values
    # of the earlier ones, and so every letter drawn before them, as they were.
    style = glyphs.random_style(np.random.default_rng(3))
    earlier = dict(list(glyphs.LETTER_RANGES.items())[:-1])
    monkeypatch.setattr(glyphs, "LETTER_RANGES", earlier)
    fewer = glyphs.random_style(np.random.default_rng(3))
    assert {k: fewer.shape[k] for k in earlier} == {k: style.shape[k] for k in earlier}


def test_letter_shapes_leave_the_callers_random_stream_alone(monkeypatch) -> None:
    # Letter geometry has a generator of its own: the caller's next draw is what it would be
    # without any letter shapes, so the digits and plates of a seed do not move with them.
    rng = np.random.default_rng(5)
    style = glyphs.random_style(rng)
    following = rng.random()
    assert set(glyphs.LETTER_RANGES) <= set(style.shape)
    monkeypatch.setattr(glyphs, "LETTER_RANGES", {})
    bare = np.random.default_rng(5)
    bare_style = glyphs.random_style(bare)
    assert bare.random() == following
    assert bare_style.aspect == style.aspect and bare_style.variants == style.variants
    monkeypatch.undo()
    styles = [glyphs.random_style(rng) for _ in range(5)]
    assert len({s.shape["G:open"] for s in styles}) == 5  # and they do vary by style


def test_hershey_faces_render_digits() -> None:
    for face in glyphs.HERSHEY_FACES:
        mask, (_x, _y, w, h) = glyphs.render_hershey("5", face, 30)
        ys, _ = np.nonzero(mask > 127)
        assert ys.max() - ys.min() + 1 in range(28, 33)
        assert w > 0 and h == 30


def test_both_polarities_are_generated() -> None:
    dark_text = light_text = 0
    images, _ = synth.character_dataset(per_class=40, seed=3, classes="8")
    for image in images:
        gray = to_gray(image).astype(np.float64)
        binary = binarize(to_gray(image))
        ink = binary > 0
        if not ink.any() or ink.all():
            continue
        if gray[ink].mean() < gray[~ink].mean():
            dark_text += 1
        else:
            light_text += 1
    assert dark_text >= 5 and light_text >= 5


def test_low_resolution_crops_are_generated() -> None:
    images, _ = synth.character_dataset(per_class=60, seed=5, classes="2")
    heights = [image.shape[0] for image in images]
    assert min(heights) <= 14
    assert max(heights) >= 30


def test_plate_boxes_inside_image_and_left_to_right() -> None:
    rng = np.random.default_rng(0)
    for layout in ("cn", "eu", "us", "br", "plain") * 8:
        text = "京A12345" if layout == "cn" else "AB 12-34"
        image, boxes = synth.render_plate(text, rng=rng, layout=layout)
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert len(boxes) == sum(ch not in " -·" for ch in text)
        h, w = image.shape[:2]
        for x, y, bw, bh in boxes:
            assert x >= 0 and y >= 0 and bw > 0 and bh > 0
            assert x + bw <= w and y + bh <= h
        lefts = [b[0] for b in boxes]
        rights = [b[0] + b[2] for b in boxes]
        assert lefts == sorted(lefts)
        assert all(r <= nxt for r, nxt in zip(rights, lefts[1:], strict=False))


def test_unknown_plate_layout_is_an_error() -> None:
    with pytest.raises(ValueError, match="layout"):
        synth.render_plate("123", rng=np.random.default_rng(0), layout="mars")


def test_write_character_dataset_layout(tmp_path) -> None:
    count = synth.write_character_dataset(tmp_path / "out", per_class=2, seed=1, classes="019")
    assert count == 6
    for label in "019":
        files = sorted(p.name for p in (tmp_path / "out" / label).iterdir())
        assert files == [f"{label}_00000.png", f"{label}_00001.png"]
    # The files hold exactly the in-memory dataset.
    images, labels = synth.character_dataset(per_class=2, seed=1, classes="019")
    on_disk = cv2.imread(str(tmp_path / "out" / "9" / "9_00001.png"), cv2.IMREAD_COLOR)
    assert labels[-1] == "9"
    assert np.array_equal(on_disk, images[-1])


def test_negative_per_class_is_an_error() -> None:
    with pytest.raises(ValueError):
        synth.character_dataset(per_class=-1, seed=0)


def test_province_symbols_are_many_part_and_vary_with_the_style() -> None:
    # The rejector must learn "several parts in a full cell", not one template per symbol.
    rng = np.random.default_rng(3)
    styles = [glyphs.random_style(rng) for _ in range(40)]
    drawn = [glyphs.render_glyph("京", style, 40)[0] for style in styles]
    assert len({m.tobytes() for m in drawn}) == len(drawn)  # a new composition per style
    strokes = [len(glyphs.glyph_strokes("京", s)) for s in styles]
    assert min(strokes) >= 3 and max(strokes) <= 12
    assert np.median(strokes) >= 5  # dense: a digit has one to three strokes
    assert len(set(strokes)) >= 4
    again = glyphs.render_glyph("京", styles[0], 40)[0]
    assert np.array_equal(again, drawn[0])  # deterministic given the style


def test_digit_and_letter_glyphs_do_not_depend_on_the_province_symbols() -> None:
    # Digits and letters are drawn from their own skeletons: the symbols' random composition
    # must not reach them (the digit network's training data stays as it was).
    style = glyphs.random_style(np.random.default_rng(9))
    before = [glyphs.render_glyph(c, style, 32)[0] for c in "28SZ"]
    glyphs.render_glyph("粤", style, 32)
    after = [glyphs.render_glyph(c, style, 32)[0] for c in "28SZ"]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
