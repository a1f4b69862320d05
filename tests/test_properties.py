"""Property tests: random bytes and random arrays through the reader, preprocessing and features.

The contract checked here: given any input, a public function returns a result of the
documented shape and dtype, or raises one of the project's errors
(:class:`~platedigits.errors.PlateDigitsError` and its subclasses, for bad data and files) or a
``ValueError`` with a message (for an argument that is not an image array at all). Nothing
else: no ``cv2.error``, ``IndexError``, ``TypeError``, ``ZeroDivisionError``, no crash.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from platedigits._imagesize import declared_size
from platedigits.errors import ImageReadError, PlateDigitsError
from platedigits.features import FeatureConfig, image_features, window_ratios_batch
from platedigits.imageio import decode_image
from platedigits.preprocess import (
    binarize,
    crop_character,
    normalize_character,
    prepare_character,
    to_gray,
)

# A quick run by default; PLATEDIGITS_PROPERTY_EXAMPLES=2000 for a thorough one.
FAST = settings(
    max_examples=int(os.environ.get("PLATEDIGITS_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

SIGNATURES = [
    b"",
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    b"\xff\xd8\xff",
    b"BM",
    b"II*\0",
    b"MM\0*",
    b"II+\0\x08\0\0\0",
    b"RIFF\0\0\0\0WEBPVP8 ",
    b"RIFF\0\0\0\0WEBPVP8L",
    b"RIFF\0\0\0\0WEBPVP8X",
    b"GIF89a",
    b"P5 ",
    b"P7\n",
    b"Pf\n",
    b"\x59\xa6\x6a\x95",
    b"#?RADIANCE\n",
    b"\xff\x4f\xff\x51",
    b"\0\0\0\x0cjP  \r\n\x87\n",
    b"\0\0\0\x18ftypavif",
]

# Image-like arrays: the shapes decoders give and the ones they never do.
DTYPES = st.sampled_from(
    [np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16, np.float32, np.float64, bool]
)
SHAPES = st.one_of(
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=40),
    st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from([0, 1, 2, 3, 4, 5])),
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
)


@st.composite
def image_arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(DTYPES))
    shape = draw(SHAPES)
    if dtype.kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=dtype.itemsize * 8)
    else:
        elements = None
    return draw(hnp.arrays(dtype, shape, elements=elements))


@st.composite
def encoded_bytes(draw: st.DrawFn) -> bytes:
    head = draw(st.sampled_from(SIGNATURES))
    return head + draw(st.binary(max_size=300))


def _quietly(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow, nan) is a bug too
        return function(*args, **kwargs)


@FAST
@given(encoded_bytes())
def test_decode_image_gives_an_image_or_its_error(data: bytes) -> None:
    try:
        image = _quietly(decode_image, data, name="random.bin")
    except ImageReadError as exc:
        assert "random.bin" in str(exc) and "\n" not in str(exc)
        return
    assert isinstance(image, np.ndarray) and image.ndim in (2, 3) and image.size > 0


@FAST
@given(encoded_bytes())
def test_declared_size_never_raises(data: bytes) -> None:
    size = declared_size(data)
    assert size is None or (len(size) == 2 and all(isinstance(v, int) and v >= 0 for v in size))


@FAST
@given(image_arrays())
def test_to_gray(image: np.ndarray) -> None:
    try:
        gray = _quietly(to_gray, image)
    except ValueError as exc:
        assert str(exc)
        return
    assert gray.dtype == np.uint8 and gray.shape == image.shape[:2]


@FAST
@given(image_arrays(), st.sampled_from(["otsu", "sauvola", "adaptive"]))
def test_binarize(image: np.ndarray, method: str) -> None:
    try:
        binary = _quietly(binarize, image, method=method)
    except ValueError as exc:
        assert str(exc)
        return
    assert image.dtype == np.uint8 and image.ndim == 2
    assert binary.shape == image.shape and binary.dtype == np.uint8
    assert set(np.unique(binary).tolist()) <= {0, 255}


@FAST
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=40)))
def test_crop_and_normalize(binary: np.ndarray) -> None:
    binary = np.where(binary > 127, 255, 0).astype(np.uint8)
    try:
        cropped = _quietly(crop_character, binary)
    except ValueError as exc:
        assert str(exc)
        return
    assert cropped.dtype == np.uint8 and cropped.ndim == 2
    box = _quietly(normalize_character, cropped, height=25, width=15)
    assert box.shape == (25, 15) and box.dtype == np.float32
    assert float(box.min()) >= 0.0 and float(box.max()) <= 1.0


@FAST
@given(image_arrays(), st.sampled_from(["otsu", "sauvola", "adaptive"]))
def test_prepare_character_and_features(image: np.ndarray, method: str) -> None:
    config = FeatureConfig(binarize=method)
    try:
        character = _quietly(prepare_character, image, method=method)
        features = _quietly(image_features, image, config=config)
    except (ValueError, PlateDigitsError) as exc:
        assert str(exc)
        return
    assert character.shape == (25, 15) and character.dtype == np.float32
    assert features.shape == (25,) and features.dtype == np.float32
    assert np.all((features >= 0) & (features <= 1))


@FAST
@given(image_arrays())
def test_window_ratios_batch(characters: np.ndarray) -> None:
    try:
        features = _quietly(window_ratios_batch, characters)
    except ValueError as exc:
        assert str(exc)
        return
    assert features.shape == (len(characters), 25) and features.dtype == np.float32


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from platedigits.model import Model
    from platedigits.network import BPNetwork

    rng = np.random.default_rng(0)
    features = rng.random((60, 25)).astype(np.float32)
    labels = np.asarray([str(i % 10) for i in range(60)])
    network = BPNetwork((8,), epochs=3, validation_fraction=0.0, seed=0).fit(features, labels)
    return Model(network, FeatureConfig())


@FAST
@given(image=image_arrays(), mode=st.sampled_from(["auto", "char", "plate"]))
def test_model_read_any_array(model, image: np.ndarray, mode: str) -> None:  # type: ignore[no-untyped-def]
    try:
        reading = _quietly(model.read, image, mode=mode)
    except (ValueError, PlateDigitsError) as exc:
        assert str(exc)
        return
    assert isinstance(reading.text, str) and reading.error is None
    assert reading.confidence is not None and 0.0 <= reading.confidence <= 1.0
    assert reading.text == "" or reading.characters
