"""Make the bundled sample wall photos from the project's own synthetic wall generator.

    python assets/make_walls.py [--out DIR]

Writes walls/NAME.jpg and walls/NAME.json (the true board in the tally JSON
format, so a test can check the tally of a bundled wall against it). We own
these pictures: they are drawn, not photographed, so no face or licence
question comes with them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2

from vision.synth import make_wall

# name: (tier, seed), chosen to look like two different rooms; 5 MP, as a Pi camera at 2592x1944.
WALLS = {"whiteboard": ("easy", 1000), "painted-wall": ("medium", 2016)}
SIZE = (2592, 1944)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "walls")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (tier, seed) in WALLS.items():
        wall = make_wall(seed, tier, SIZE)
        cv2.imwrite(str(args.out / f"{name}.jpg"), wall.image, [cv2.IMWRITE_JPEG_QUALITY, 88])
        truth = {"image": f"{name}.jpg", "tier": tier, "seed": seed, **wall.truth.to_dict()}
        (args.out / f"{name}.json").write_text(json.dumps(truth, indent=1) + "\n")
        print(
            f"{args.out / name}.jpg: {len(wall.truth.notes)} notes, {wall.truth.total_votes} dots"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
