"""Write the sample pictures of this folder: synthetic whole plates and single characters.

Run from a checkout (the same code gives the same pixels)::

    python samples/make_samples.py            # writes samples/*.png
    platedigits predict samples/*.png         # and reads them back

Everything here is drawn by the project (:mod:`platedigits.synth`), nothing is a photo.

The plates are plates of the set ``platedigits synth --plates N --seed 2024`` writes, one per
layout. They are demos, so each is the first plate of its layout in that set that the shipped
model reads exactly (the index is written below); how often the shipped model reads such plates
is measured on whole sets by ``benchmarks/plates.py`` (see the README), not shown by these.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from platedigits._cv import cv2
from platedigits.plateset import render_random_plate
from platedigits.synth import render_character

SEED = 2024
#: (file name, layout, plate index in the synthetic set with SEED).
PLATES: tuple[tuple[str, str, int], ...] = (
    ("plate-cn.png", "cn", 1),
    ("plate-eu.png", "eu", 0),
    ("plate-us.png", "us", 0),
    ("plate-plain.png", "plain", 0),
)
#: (file name, character, stream): single character crops.
CHARACTERS: tuple[tuple[str, str, int], ...] = (
    ("digit-3.png", "3", 0),
    ("digit-7.png", "7", 0),
)
OUT = Path(__file__).resolve().parent


def _write(path: Path, image: np.ndarray) -> None:
    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - PNG encoding of a uint8 array does not fail
        raise RuntimeError(f"could not encode {path}")
    path.write_bytes(buf.tobytes())


def main() -> int:
    """Write every sample and list what each one shows."""
    for name, layout, index in PLATES:
        image, text, _ = render_random_plate(SEED, index, layout=layout)
        _write(OUT / name, image)
        print(f"{name}: {text} (digits {''.join(c for c in text if c.isdigit())})")
    for name, char, stream in CHARACTERS:
        image = render_character(char, rng=np.random.default_rng([SEED, ord(char), stream]))
        _write(OUT / name, image)
        print(f"{name}: {char}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
