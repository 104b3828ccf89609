"""A small hand-drawn wall that the setup tools (check, aim) photograph in tests."""

from __future__ import annotations

import cv2
import numpy as np


def wall(blur: float = 0.0) -> np.ndarray:
    """A grey wall with three 240 px notes carrying 3, 2 and 1 red dots (29 px), and writing."""
    rng = np.random.default_rng(1)
    image = np.full((800, 1200, 3), (190, 195, 200), np.uint8)
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    colours = [(80, 230, 250), (200, 160, 250), (120, 220, 140)]
    for i, (x, y) in enumerate([(100, 100), (450, 120), (800, 140)]):
        cv2.rectangle(image, (x, y), (x + 239, y + 239), colours[i], -1)
        for k in range(3 - i):
            cv2.circle(image, (x + 50 + k * 60, y + 60), 14, (40, 40, 220), -1)
        for k in range(4):
            y_line = y + 130 + k * 22
            cv2.line(image, (x + 30, y_line), (x + 200, y_line), (60, 40, 30), 2)
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return image
