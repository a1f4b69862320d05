"""Telling digits from letters and province symbols on plates (platedigits.reject)."""

from __future__ import annotations

import numpy as np
import pytest

from platedigits._cv import cv2
from platedigits.model import CharacterReading, Model, load_model
from platedigits.reject import (
    LETTERS,
    N_SHAPE_FEATURES,
    ORIENTATION_BINS,
    REJECT_FEATURES,
    SYMBOL_CLASS,
    MaskMemo,
    Rejector,
    _plate_samples,
    augment_mask,
    cut_symbol,
    glue_frame_line,
    mask_features,
    orientation_features,
    shape_features,
    train_rejector,
    training_set,
)

#: Plates of a seed the shipped rejector never saw (the build uses the digit model's seed).
HELD_OUT_SEED = 424242
#: Columns of the rejector's inputs: the grid, the shape cues, 16 cells of direction bins.
N_COLUMNS = REJECT_FEATURES.n_features + N_SHAPE_FEATURES + 16 * ORIENTATION_BINS


@pytest.fixture(scope="module")
def shipped() -> Model:
    model = load_model()
    assert model.rejector is not None, "the shipped model must carry a rejector"
    return model


@pytest.fixture(scope="module")
def held_out() -> tuple[list[np.ndarray], np.ndarray]:
    masks: list[np.ndarray] = []
    labels: list[str] = []
    for i in range(120):
        m, lab = _plate_samples(HELD_OUT_SEED, i)
        masks += m
        labels += lab
    return masks, np.asarray(labels)


def _ring(size: int = 30) -> np.ndarray:
    mask = np.zeros((size, size // 2 + 4), np.uint8)
    centre, axes = (mask.shape[1] // 2, size // 2), (size // 4, size // 2 - 2)
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, 3)
    return mask


def test_shape_features_count_parts_and_holes() -> None:
    ring = _ring()
    bars = np.zeros((30, 20), np.uint8)
    bars[:, 2:5] = 255
    bars[:, 12:15] = 255
    features = shape_features([ring, bars])
    assert features.shape == (2, N_SHAPE_FEATURES) and features.dtype == np.float32
    # log aspect, parts / 6, holes / 6, ink share
    assert features[0, 1] == pytest.approx(1 / 6) and features[0, 2] == pytest.approx(1 / 6)
    assert features[1, 1] == pytest.approx(2 / 6) and features[1, 2] == 0.0
    assert features[0, 0] < 0  # taller than wide
    assert 0 < features[1, 3] < 1
    # left edge: every row of the bars starts at the left bar, the ring's round ends do not
    assert features[1, 4] == 1.0 and features[0, 4] < 0.9
    assert np.array_equal(shape_features([ring, bars], count=4), features[:, :4])


def test_a_rejector_stored_before_the_left_edge_cue_still_loads() -> None:
    from platedigits.network import BPNetwork

    X = np.random.default_rng(0).random((40, REJECT_FEATURES.n_features + 4), dtype=np.float32)
    y = np.array(list("0A") * 20)
    net = BPNetwork(hidden_layer_sizes=(4,), epochs=2, seed=0).fit(X, y)
    arrays, meta = Rejector((net,), REJECT_FEATURES, shape_features=4, orientations=0).to_parts()
    meta["shape_features"] = True  # how files before the fifth cue stored it
    del meta["orientations"]  # nor did they have direction features
    old = Rejector.from_parts(arrays, meta)
    assert old is not None and old.shape_features == 4 and old.orientations == 0
    assert old.predict_proba_of_masks([_ring()]).shape == (1, 2)


def test_mask_features_shape_with_and_without_shape_cues() -> None:
    masks = [_ring(), _ring(40)]
    full = mask_features(masks)
    without = mask_features(masks, shape=0, orientations=0)
    grid_and_shape = mask_features(masks, orientations=0)
    grid = REJECT_FEATURES.n_features
    assert full.shape == (2, N_COLUMNS)
    assert without.shape == (2, grid)
    assert grid_and_shape.shape == (2, grid + N_SHAPE_FEATURES)
    assert np.array_equal(full[:, :grid], without)
    assert np.array_equal(full[:, : grid + N_SHAPE_FEATURES], grid_and_shape)
    assert mask_features([]).shape == (0, full.shape[1])


def test_a_memo_gives_the_same_probabilities_to_the_bit(
    shipped: Model, held_out: tuple[list[np.ndarray], np.ndarray]
) -> None:
    # Lists as the segmenter asks them: overlapping, repeated whole, of one mask, with a mask
    # twice; the grid's matrix product rounds differently for one row than for several.
    masks = held_out[0][:40]
    lists = [masks[0:7], masks[3:12], masks[0:7], masks[5:6], [masks[8], masks[8]], masks[:40]]
    lists += [masks[20:33], masks[5:6], masks[10:20]]
    rejector = shipped.rejector
    assert rejector is not None
    memo = MaskMemo()
    for some in lists:
        alone = rejector.predict_proba_of_masks(some)
        remembered = rejector.predict_proba_of_masks(some, memo=memo)
        assert np.array_equal(alone.view(np.uint32), remembered.view(np.uint32))
        tops = rejector.top_probability_of_masks(some, memo=memo)
        assert np.array_equal(tops, rejector.top_probability_of_masks(some))


def _box(mask: np.ndarray) -> np.ndarray:
    from platedigits.preprocess import normalize_character

    return normalize_character(mask, height=REJECT_FEATURES.height, width=REJECT_FEATURES.width)


def test_orientation_features_tell_a_corner_from_a_curve() -> None:
    # "D" against "0": the same outline but for the square corners on the left. The top-left
    # cell of the corner holds edges running straight across and down, the curve's diagonal
    # ones.
    corner = np.zeros((30, 18), np.uint8)
    cv2.rectangle(corner, (1, 1), (16, 28), 255, 3)
    curve = np.zeros((30, 18), np.uint8)
    cv2.ellipse(curve, (9, 15), (7, 13), 0, 0, 360, 255, 3)
    hist = orientation_features(np.stack([_box(corner), _box(curve)])).reshape(2, 4, 4, 8)
    straight = [0, 2, 4, 6]  # 0, 90, 180, 270 degrees
    diagonal = [1, 3, 5, 7]
    top_left = hist[:, 0, 0]
    assert top_left[0, straight].sum() > top_left[0, diagonal].sum()
    assert top_left[1, diagonal].sum() > top_left[1, straight].sum()


def test_orientation_features_are_normalised_and_zero_for_a_blank_box() -> None:
    thin, bold = np.zeros((30, 18), np.uint8), np.zeros((30, 18), np.uint8)
    cv2.ellipse(thin, (9, 15), (7, 13), 0, 0, 360, 255, 2)
    cv2.ellipse(bold, (9, 15), (7, 13), 0, 0, 360, 255, 4)
    blank = np.zeros((24, 16), np.float32)
    features = orientation_features(np.stack([_box(thin), _box(bold), blank]))
    assert features.shape == (3, 16 * ORIENTATION_BINS) and features.dtype == np.float32
    # The mean cell sums to 1 whatever the stroke weight; a ring has its edges all round.
    assert features[:2].sum(axis=1) == pytest.approx([16.0, 16.0], rel=1e-5)
    assert (features[:2].reshape(2, 16, 8).sum(axis=1) > 0).all()
    assert not features[2].any()
    with pytest.raises(ValueError, match="cells"):
        orientation_features(np.zeros((1, 25, 15), np.float32))


def test_pieces_of_a_symbol_are_narrower_and_never_a_lone_bar() -> None:
    # A 川: three bars. A piece of one bar would teach the rejector that a "1" is a symbol.
    river = np.zeros((30, 24), np.uint8)
    river[:, 1:5] = river[:, 10:14] = river[:, 19:23] = 255
    rng = np.random.default_rng(0)
    pieces = [cut_symbol(river, rng=rng) for _ in range(200)]
    kept = [p for p in pieces if p is not None]
    assert len(kept) > 100
    for piece in kept:
        assert piece.shape[0] == 30 and piece.shape[1] < 24
        assert piece[:, 0].any() and piece[:, -1].any()  # tightly cropped
        parts = cv2.connectedComponents((piece > 0).astype(np.uint8))[0] - 1
        assert parts >= 2
    # A single bar has no piece that is not a bar.
    bar = np.zeros((30, 8), np.uint8)
    bar[:, 2:6] = 255
    assert all(cut_symbol(bar, rng=rng) is None for _ in range(20))


def test_training_set_labels_digits_letters_and_symbols() -> None:
    x, y = training_set(plates=12, seed=3)
    assert x.shape == (len(y), N_COLUMNS)
    assert set(y) <= set("0123456789" + LETTERS + SYMBOL_CLASS)
    assert any(c.isdigit() for c in y) and any(c in LETTERS for c in y)
    again = training_set(plates=12, seed=3, workers=2)
    assert np.array_equal(x, again[0]) and list(y) == list(again[1])


def test_a_rejector_survives_the_model_file(tmp_path) -> None:
    small = {
        "hidden_layer_sizes": (8,),
        "epochs": 3,
        "seed": 0,
        "validation_fraction": 0.0,
    }
    rejector = train_rejector(plates=10, seed=1, network=small)
    arrays, meta = rejector.to_parts()
    again = Rejector.from_parts(arrays, meta)
    assert again is not None and again.shape_features
    assert again.orientations == ORIENTATION_BINS
    masks = [_ring(), _ring(40)]
    assert np.allclose(
        rejector.digit_probability_of_masks(masks), again.digit_probability_of_masks(masks)
    )
    assert Rejector.from_parts({}, {}) is None


def test_a_legacy_single_network_rejector_still_loads() -> None:
    small = {"hidden_layer_sizes": (8,), "epochs": 2, "seed": 0, "validation_fraction": 0.0}
    rejector = train_rejector(plates=6, seed=1, network=small, members=1)
    arrays, meta = rejector.to_parts()
    # The layout of files written before rejectors had several networks.
    legacy = {k.replace("reject.0.", "reject."): v for k, v in arrays.items()}
    old_meta = {k: v for k, v in meta.items() if k != "members"}
    again = Rejector.from_parts(legacy, old_meta)
    assert again is not None and len(again.networks) == 1
    masks = [_ring(), _ring(40)]
    assert np.allclose(
        rejector.digit_probability_of_masks(masks), again.digit_probability_of_masks(masks)
    )
    with pytest.raises(ValueError, match="member count"):
        Rejector.from_parts(arrays, {**meta, "members": 0})


def test_an_ensemble_averages_its_networks() -> None:
    small = {"hidden_layer_sizes": (8,), "epochs": 3, "seed": 4, "validation_fraction": 0.0}
    x, y = training_set(plates=8, seed=2, augment=0)
    ensemble = train_rejector(network=small, members=3, data=(x, y))
    seeds = [n.get_config()["seed"] for n in ensemble.networks]
    assert seeds == [4, 5, 6]
    each = [n.predict_proba(x) for n in ensemble.networks]
    assert not np.allclose(each[0], each[1])  # different seeds, different networks
    assert np.allclose(ensemble.predict_proba(x), np.mean(each, axis=0), atol=1e-6)
    arrays, meta = ensemble.to_parts()
    again = Rejector.from_parts(arrays, meta)
    assert again is not None and len(again.networks) == 3
    assert np.allclose(again.predict_proba(x), ensemble.predict_proba(x))
    with pytest.raises(ValueError, match="members"):
        train_rejector(network=small, members=0, data=(x, y))


def test_augmented_masks_stay_tight_binary_and_reproducible() -> None:
    ring = _ring(40)
    varied = [augment_mask(ring, rng=np.random.default_rng(s)) for s in range(20)]
    for v in varied:
        assert v.dtype == np.uint8 and set(np.unique(v)) <= {0, 255}
        # tightly cropped, up to the one edge row or column the variation may cut off
        assert v[:2].any() and v[-2:].any() and v[:, :2].any() and v[:, -2:].any()
        assert 0.5 <= (v.shape[1] / v.shape[0]) / (ring.shape[1] / ring.shape[0]) <= 2.0
    # it varies: sizes and shapes differ between seeds
    assert len({v.shape for v in varied}) > 5
    again = augment_mask(ring, rng=np.random.default_rng(3))
    assert np.array_equal(again, varied[3])
    # an empty mask comes back as it is
    empty = np.zeros((10, 6), np.uint8)
    assert augment_mask(empty, rng=np.random.default_rng(0)) is empty


def test_a_glued_frame_line_touches_the_character_and_runs_past_it() -> None:
    ring = _ring(30)
    h, w = ring.shape
    ends = set()
    for s in range(40):
        lined = glue_frame_line(ring, rng=np.random.default_rng(s))
        extra_rows, extra_cols = lined.shape[0] - h, lined.shape[1] - w
        assert 1 <= extra_rows <= 3 and 0 <= extra_cols <= round(0.6 * w)
        top = bool(lined[0].all())
        line_rows = lined[:extra_rows] if top else lined[h:]
        char_rows = lined[extra_rows:] if top else lined[:h]
        assert line_rows.all()  # a full line across the whole width ...
        # ... glued to the character, which is kept as it was somewhere along the line
        assert any(np.array_equal(char_rows[:, x : x + w], ring) for x in range(extra_cols + 1))
        ends.add(top)
    assert ends == {True, False}


def test_shipped_rejector_keeps_digits_standing_on_a_frame_line(
    shipped: Model, held_out: tuple[list[np.ndarray], np.ndarray]
) -> None:
    masks, labels = held_out
    rejector = shipped.rejector
    assert rejector is not None

    def lined(mask: np.ndarray, *, top: bool) -> np.ndarray:
        h, w = mask.shape
        t, e = max(1, round(h / 15)), max(1, round(0.15 * w))
        out = np.zeros((h + t, w + 2 * e), np.uint8)
        out[(t if top else 0) : (t if top else 0) + h, e : e + w] = mask
        out[(slice(0, t) if top else slice(h, h + t))] = 255
        return out

    digits = np.char.isdigit(labels)
    for top in (False, True):
        on_line = [lined(m, top=top) for m in masks]
        taken = rejector.digit_probability_of_masks(on_line) >= rejector.threshold
        # Measured 2026-11-29 on this held-out seed: a rejector that never saw glued lines kept
        # 86% (line below) and 85% (above) of the digits, the shipped one 95% and 94%; letters
        # and symbols taken stayed under 2% with both.
        assert taken[digits].mean() >= 0.9
        assert taken[~digits].mean() <= 0.05


def test_augmentation_adds_copies_with_the_same_labels() -> None:
    plain, plain_labels = training_set(plates=6, seed=3, augment=0)
    doubled, doubled_labels = training_set(plates=6, seed=3, augment=1)
    assert len(doubled) == 2 * len(plain)
    assert list(doubled_labels[::2]) == list(plain_labels)
    assert list(doubled_labels[1::2]) == list(plain_labels)
    assert np.array_equal(doubled[::2], plain)
    assert not np.array_equal(doubled[1::2], plain)
    with pytest.raises(ValueError, match="augment"):
        training_set(plates=1, seed=3, augment=-1)


def test_shipped_rejector_keeps_digits_and_rejects_letters_and_symbols(
    shipped: Model, held_out: tuple[list[np.ndarray], np.ndarray]
) -> None:
    masks, labels = held_out
    rejector = shipped.rejector
    assert rejector is not None
    taken = rejector.digit_probability_of_masks(masks) >= rejector.threshold
    digits = np.char.isdigit(labels)
    symbols = labels == SYMBOL_CLASS
    letters = ~digits & ~symbols
    assert digits.sum() > 100 and letters.sum() > 100 and symbols.sum() > 10
    # Measured 2026-11 on this held-out seed (model 581d1c3): 95% of digits kept, 99% of
    # letters and all symbols rejected; again with the composed province symbols and 6000
    # training plates (95.4% / 99.4% / 100%). The bounds leave room for a rebuilt model, not
    # for a broken one.
    assert taken[digits].mean() >= 0.9
    assert taken[letters].mean() <= 0.1
    assert taken[symbols].mean() <= 0.15


def test_letters_that_look_like_digits_are_not_read_as_digits(shipped: Model) -> None:
    from platedigits.synth import render_plate

    # B/8, D/0, S/5, Z/2, G/6: the letters a digit-only reader turns into digits.
    rng = np.random.default_rng(11)
    read_as_digit = 0
    for _ in range(6):
        image, _ = render_plate("BDSZG", rng=rng, layout="plain", char_height=40)
        read_as_digit += len(shipped.read(image, mode="plate").text)
    assert read_as_digit <= 3  # of 30 letters


def test_digits_of_a_plate_with_letters_come_out_alone(shipped: Model) -> None:
    from platedigits.synth import render_plate

    exact = 0
    for seed in range(5, 10):
        rng = np.random.default_rng(seed)
        for _ in range(6):
            image, _ = render_plate("AB 4721", rng=rng, layout="plain", char_height=40)
            reading = shipped.read(image, mode="plate")
            exact += reading.text == "4721"
            # Every character is reported, taken as a digit or not.
            assert len(reading.characters) >= len(reading.text)
    # Measured: the shipped model reads all 30, rejectors trained on five other synthetic draws
    # 29-30 (a misread one takes the B for an 8; a round before, 18-19 of 30 were read).
    assert exact >= 27


class _FixedRejector(Rejector):
    """A rejector that gives every mask the same digit probability (tests the reading rule)."""

    def __init__(self, like: Rejector, digit_probability: float) -> None:
        super().__init__(like.networks, like.feature_config, like.threshold, like.shape_features)
        self.fixed = digit_probability

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        # the digit share spread evenly over the digits, the rest on the first letter
        digits = [i for i, c in enumerate(self.classes_) if c.isdigit()]
        letter = next(i for i, c in enumerate(self.classes_) if c.isalpha())
        proba = np.zeros((len(features), len(self.classes_)), np.float32)
        proba[:, digits] = self.fixed / len(digits)
        proba[:, letter] = 1.0 - self.fixed
        return proba


@pytest.mark.parametrize("case", ["below", "between", "above"])
def test_a_sure_digit_network_needs_less_from_the_rejector(shipped: Model, case: str) -> None:
    from platedigits.synth import render_plate

    image, _ = render_plate("4721 9035", rng=np.random.default_rng(2), layout="plain")
    assert shipped.rejector is not None
    model = load_model()
    # A rejector probability below, between and above the two floors of the reading rule.
    low, high = model.plate_sure_digit_probability, shipped.rejector.threshold
    assert low < high
    digit_probability = {"below": low / 2, "between": (low + high) / 2, "above": high + 0.05}[case]
    model.rejector = _FixedRejector(shipped.rejector, digit_probability)
    reading = model.read(image, mode="plate")
    chars = reading.characters
    assert len(chars) >= 6
    if digit_probability >= model.rejector.threshold:
        floor = model.plate_min_confidence  # the rejector agrees: the usual floor
    elif digit_probability >= model.plate_sure_digit_probability:
        floor = model.plate_sure_confidence  # only the characters the network is sure of
    else:
        floor = 2.0  # the rejector is sure it is no digit: nothing
    assert [c.is_digit for c in chars] == [c.confidence >= floor for c in chars]
    # Both kinds occur in the middle case, so the test can tell the floors apart.
    if case == "between":
        assert any(c.is_digit for c in chars)


def _unsure(network: dict[str, float], rejector: dict[str, float], model: Model):
    assert model.rejector is not None
    net = np.zeros((1, len(model.classes)))
    for label, p in network.items():
        net[0, model.classes.index(label)] = p
    rej = np.zeros((1, len(model.rejector.classes_)))
    for label, p in rejector.items():
        rej[0, model.rejector.classes_.index(label)] = p
    reading = CharacterReading(
        max(network, key=network.__getitem__), max(network.values()), True, (0, 0, 5, 9)
    )
    return model._rescue_unsure_digits([reading], net, rej, digit_like=np.array([False]))


def test_an_unsure_digit_is_read_when_both_networks_together_agree(shipped: Model) -> None:
    # the digit network leans to 7; the rejector is sure of a 2: together they read 2
    (reading,), rescued = _unsure({"7": 0.6, "2": 0.4}, {"2": 0.9, "7": 0.05, "Z": 0.05}, shipped)
    assert rescued.tolist() == [True]
    assert reading.label == "2" and reading.is_digit
    assert reading.confidence >= shipped.plate_joint_probability
    # the rejector sees a letter: not rescued
    (reading,), rescued = _unsure({"2": 0.6, "7": 0.4}, {"Z": 0.85, "2": 0.15}, shipped)
    assert rescued.tolist() == [False] and reading.label == "2"
    # digits enough for the rejector, but the two networks want different digits: not rescued
    (_,), rescued = _unsure({"7": 0.65, "1": 0.35}, {"1": 0.55, "7": 0.4, "T": 0.05}, shipped)
    assert rescued.tolist() == [False]
