"""Drawing a synthetic wall: surfaces, notes, ink, dots, then the camera's faults.

Everything is drawn at the photo's own size with cv2 primitives and numpy on
small patches (a note's or a dot's bounding box), so a 12 MP wall takes about
a second. Textures and light are made small and scaled up.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import cv2
import numpy as np

from vision.synth_ink import Stroke
from vision.synth_layout import DotSpec, NoteSpec, local_scale, project

SHIFT = 4  # sub-pixel bits for cv2 drawing
ONE = 1 << SHIFT

# Surfaces: base colours (BGR). "Dark" ones are where white notes go.
SURFACE_COLOURS = {
    "paint": ((236, 238, 240), (222, 232, 238), (226, 222, 214), (208, 224, 212), (232, 232, 226)),
    "paint_dark": (
        (92, 92, 98),
        (96, 62, 44),
        (112, 112, 46),
        (72, 96, 170),
        (68, 100, 64),
        (58, 58, 62),
    ),
    "whiteboard": ((240, 240, 236), (236, 238, 238)),
    "partition": ((150, 150, 148), (125, 130, 136), (160, 142, 124)),
    "cork": ((88, 136, 184), (78, 120, 170)),
    "wood": ((62, 112, 168), (90, 140, 190), (48, 82, 130)),
    "kraft": ((112, 156, 196), (100, 142, 184)),
    "glass": ((70, 76, 74), (96, 98, 92)),
}
DARK_SURFACES = ("paint_dark", "partition", "cork", "wood", "kraft", "glass")


def _smooth_field(rng, h: int, w: int, cells: int, amp: float, channels: int = 1) -> np.ndarray:
    """Low-frequency noise in [-amp, amp], float32, made on a tiny grid and scaled up."""
    gh, gw = max(2, round(cells * h / max(h, w))), max(2, round(cells * w / max(h, w)))
    g = rng.uniform(-amp, amp, (gh, gw, channels)).astype(np.float32)
    out = cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)
    return out.reshape(h, w, channels) if channels > 1 else out.reshape(h, w)


def _texture(rng, h: int, w: int, cell_px: float, amp: float) -> np.ndarray:
    """Fine grain (int16, grey levels) with cells of about cell_px pixels."""
    c = max(1.0, cell_px)
    gh, gw = max(2, int(h / c)), max(2, int(w / c))
    g = rng.normal(0, amp, (gh, gw)).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def paint_surface(rng, kind: str, width: int, height: int, px_per_mm: float) -> np.ndarray:
    """The bare wall, BGR uint8."""
    options = SURFACE_COLOURS[kind]
    base = np.float32(options[int(rng.integers(len(options)))])
    # Everything is built small (a quarter of the size) and scaled up once.
    q = 4
    h, w = -(-height // q), -(-width // q)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    img *= 1 + _smooth_field(rng, h, w, 8, 0.04)[..., None]
    mm = px_per_mm / q  # quarter-size pixels per mm
    if kind == "cork":
        grain = _texture(rng, h, w, 1.2 * mm, 14)
        img += grain[..., None] * np.float32([0.8, 1.0, 1.1])
        spots = _texture(rng, h, w, 2.5 * mm, 1.0) > 1.6
        img[spots] *= 0.72
    elif kind == "wood":
        vertical = rng.random() < 0.5
        across, along = (w, h) if vertical else (h, w)
        plank = rng.uniform(90, 200) * mm
        pos = np.arange(across, dtype=np.float32)
        tone = rng.uniform(0.82, 1.15, int(across / plank) + 2).astype(np.float32)
        tones = tone[(pos / plank).astype(int)]
        warp = _smooth_field(rng, h, w, 12, 6 * mm)
        coord = (
            np.arange(across, dtype=np.float32)[None, :]
            if vertical
            else np.arange(across, dtype=np.float32)[:, None]
        ) + warp
        grain = 0.9 + 0.1 * np.sin(coord / max(0.6 * mm, 0.5) * 2.1) * np.sin(
            coord / max(2.7 * mm, 0.5)
        )
        tone_img = tones[None, :] if vertical else tones[:, None]
        img *= (grain * tone_img)[..., None]
        seams = (pos % plank) < max(0.6, 0.8 * mm)
        if vertical:
            img[:, seams] *= 0.6
        else:
            img[seams, :] *= 0.6
    elif kind == "kraft":
        img += _texture(rng, h, w, 0.8 * mm, 6)[..., None]
        for _ in range(int(rng.integers(3, 9))):  # creases
            p0 = (rng.uniform(0, w), rng.uniform(0, h))
            a = rng.uniform(0, math.pi)
            L = max(w, h)
            p1 = (p0[0] + L * math.cos(a), p0[1] + L * math.sin(a))
            p0 = (p0[0] - L * math.cos(a), p0[1] - L * math.sin(a))
            shade = float(rng.choice([0.85, 1.12]))
            crease = np.zeros((h, w), np.float32)
            cv2.line(
                crease,
                tuple(int(v) for v in p0),
                tuple(int(v) for v in p1),
                1.0,
                max(1, int(mm)),
                cv2.LINE_AA,
            )
            crease = cv2.GaussianBlur(crease, (0, 0), max(1.0, 2 * mm))
            img *= (1 + (shade - 1) * crease / max(float(crease.max()), 1e-6))[..., None]
    elif kind == "partition":
        img += _texture(rng, h, w, 0.7 * mm, 7)[..., None]
        img += (_texture(rng, h, w, 0.5 * mm, 1.0) * 3)[..., None] * np.float32([1, 1, 1])
    elif kind == "glass":
        # What is behind the glass: furniture, windows and people, far out of focus.
        for _ in range(int(rng.integers(6, 14))):
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            bw, bh = rng.uniform(0.05, 0.4) * w, rng.uniform(0.1, 0.6) * h
            grey = rng.uniform(40, 190)
            colour = grey + rng.uniform(-25, 25, 3)  # offices are mostly greys and muted colours
            cv2.rectangle(
                img, (int(x0), int(y0)), (int(x0 + bw), int(y0 + bh)), colour.tolist(), -1
            )
        img = cv2.GaussianBlur(img, (0, 0), max(w, h) / 60)
        for _ in range(int(rng.integers(1, 4))):  # reflections of the room's lights
            streak = np.zeros((h, w), np.float32)
            x = rng.uniform(0, w)
            cv2.line(
                streak,
                (int(x), 0),
                (int(x + rng.uniform(-0.3, 0.3) * w), h),
                1.0,
                int(rng.uniform(0.02, 0.08) * w),
            )
            img += cv2.GaussianBlur(streak, (0, 0), w / 40)[..., None] * rng.uniform(20, 50)
    elif kind == "whiteboard":
        # Ghosts of old marker, wiped but not quite.
        ghost = np.zeros((h, w), np.float32)
        for _ in range(int(rng.integers(3, 10))):
            pts = np.cumsum(rng.normal(0, 20 * mm, (8, 2)), axis=0) + (
                rng.uniform(0, w),
                rng.uniform(0, h),
            )
            cv2.polylines(
                ghost, [pts.astype(np.int32)], False, 1.0, max(1, int(3 * mm)), cv2.LINE_AA
            )
        img -= cv2.GaussianBlur(ghost, (0, 0), max(1.0, 2 * mm))[..., None] * np.float32(
            [10, 14, 16]
        )
    else:
        img += _texture(rng, h, w, 0.6 * mm, 1.5)[..., None]
    small = np.clip(img, 0, 255).astype(np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def add_glare(rng, img: np.ndarray, strength: float) -> None:
    """Bright reflections of windows or lamps on a glossy board, clipping to white."""
    height, width = img.shape[:2]
    q = 8
    h, w = -(-height // q), -(-width // q)
    glare = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(1, 3))):
        c = (int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.1, 0.9) * h))
        axes = (int(rng.uniform(0.05, 0.2) * w), int(rng.uniform(0.08, 0.3) * h))
        cv2.ellipse(glare, c, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    glare = cv2.GaussianBlur(glare, (0, 0), w / 30)
    big = cv2.resize(glare * (90 * strength), (width, height), interpolation=cv2.INTER_LINEAR)
    big16 = big.astype(np.uint8)
    cv2.add(img, cv2.merge([big16, big16, big16]), dst=img)


def draw_strokes(img: np.ndarray, homography, strokes: list[Stroke], to_wall=None) -> None:
    """Marker strokes given in mm (on a note when to_wall maps note to wall coordinates)."""
    for s in strokes:
        pts = s.points if to_wall is None else to_wall(s.points)
        px = project(homography, pts)
        ipts = np.round(px * ONE).astype(np.int32)
        if s.filled:
            cv2.fillPoly(img, [ipts], s.bgr, cv2.LINE_AA, SHIFT)
            continue
        scale = local_scale(homography, pts[0])
        t = max(1, int(round(s.width_mm * scale)))
        cv2.polylines(img, [ipts], s.closed, s.bgr, t, cv2.LINE_AA, SHIFT)


def _patch(img, pts, pad):
    h, w = img.shape[:2]
    x0 = max(0, int(math.floor(pts[:, 0].min() - pad)))
    y0 = max(0, int(math.floor(pts[:, 1].min() - pad)))
    x1 = min(w, int(math.ceil(pts[:, 0].max() + pad)) + 1)
    y1 = min(h, int(math.ceil(pts[:, 1].max() + pad)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def _mask(shape, pts, x0, y0) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round((pts - (x0, y0)) * ONE).astype(np.int32)], 255, cv2.LINE_AA, SHIFT)
    return m


def _soft_mask(shape, pts, x0, y0, sigma: float) -> np.ndarray:
    """A polygon mask (float32, 0..255) blurred by sigma; wide blurs are done at a quarter size."""
    if sigma <= 6:
        return cv2.GaussianBlur(_mask(shape, pts, x0, y0).astype(np.float32), (0, 0), sigma)
    k = 4
    small = (max(1, -(-shape[0] // k)), max(1, -(-shape[1] // k)))
    m = _mask(small, (pts - (x0, y0)) / k, 0, 0).astype(np.float32)
    m = cv2.GaussianBlur(m, (0, 0), sigma / k)
    return cv2.resize(m, (small[1] * k, small[0] * k), interpolation=cv2.INTER_LINEAR)[
        : shape[0], : shape[1]
    ]


def note_outline(note: NoteSpec) -> np.ndarray:
    """The note's outline in note coordinates: a bottom edge bowed a little where it curls."""
    w, h = note.size
    top = [(-w / 2, -h / 2), (w / 2, -h / 2)]
    us = np.linspace(w / 2, -w / 2, 9)
    bow = note.curl * 0.025 * h * (1 - (2 * us / w) ** 2)
    bottom = list(zip(us, h / 2 + bow, strict=True))
    return np.asarray(top + bottom, dtype=np.float64)


def draw_note(img, homography, note: NoteSpec, light_dir, shadow: float, rng) -> None:
    """One sticky note: its soft shadow on what is below, then the paper, shaded where it curls."""
    scale = local_scale(homography, note.center)
    outline = project(homography, note.to_wall(note_outline(note)))
    off = np.asarray(light_dir) * scale * (1.0 + 3.0 * note.curl)
    blur = scale * (1.5 + 2.5 * note.curl)
    box = _patch(img, np.vstack([outline, outline + off]), 3 * blur + 2)
    if box is None:
        return
    x0, y0, x1, y1 = box
    patch = img[y0:y1, x0:x1]
    ph, pw = patch.shape[:2]
    if shadow > 0:
        # The bottom of a curled note stands off the wall, so its shadow falls further there.
        w, h = note.size
        v = (note_outline(note)[:, 1] + h / 2) / h
        shadow_pts = outline + off[None, :] * (0.5 + v[:, None])
        sm = _soft_mask((ph, pw), shadow_pts, x0, y0, max(0.8, blur))
        _darken(patch, sm * np.float32(shadow * (0.6 + 0.4 * note.curl) / 255.0))
    alpha = _mask((ph, pw), outline, x0, y0).astype(np.float32) / 255.0
    colour = np.float32(note.bgr)
    fill = np.empty_like(patch)
    fill[:] = note.bgr
    if note.curl > 0:
        # Paper turning away from the wall darkens towards the bottom edge.
        inv = np.linalg.inv(homography)
        corners = project(inv, [(x0, y0), (x1, y0), (x0, y1)])
        vs = []
        for c in corners:
            uv = _to_note(note, c)
            vs.append(uv[1] / note.size[1] + 0.5)
        gx = (vs[1] - vs[0]) / max(1, pw)
        gy = (vs[2] - vs[0]) / max(1, ph)
        v = (
            vs[0]
            + gx * np.arange(pw, dtype=np.float32)[None, :]
            + gy * np.arange(ph, dtype=np.float32)[:, None]
        )
        start = 1 - rng.uniform(0.15, 0.35)
        t = np.clip((v - start) / (1 - start), 0, 1)
        shade = 1 - np.float32(0.3 * note.curl) * t * t
        fill = cv2.merge([shade * c for c in colour]).astype(np.uint8)
    patch[:] = cv2.blendLinear(fill, patch, alpha, 1 - alpha)


def _darken(patch: np.ndarray, amount: np.ndarray) -> None:
    """patch *= 1 - amount, in place (amount: float32 0..1 per pixel)."""
    black = np.zeros_like(patch)
    patch[:] = cv2.blendLinear(patch, black, 1 - amount, amount)


def _to_note(note: NoteSpec, wall_pt) -> np.ndarray:
    a = math.radians(note.angle)
    d = np.asarray(wall_pt) - np.asarray(note.center)
    return np.array(
        [d[0] * math.cos(a) + d[1] * math.sin(a), -d[0] * math.sin(a) + d[1] * math.cos(a)]
    )


def circle_px(homography, center, radius, n=40) -> np.ndarray:
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    pts = np.column_stack([center[0] + radius * np.cos(t), center[1] + radius * np.sin(t)])
    return project(homography, pts)


def draw_dot(img, homography, dot: DotSpec, light_dir, rng) -> None:
    """A round sticker: a thin shadow, a slightly uneven face, and a glossy highlight."""
    rim = circle_px(homography, dot.center, dot.diameter / 2)
    centre = project(homography, [dot.center])[0]
    r_px = float(np.mean(np.linalg.norm(rim - centre, axis=1)))
    box = _patch(img, rim, max(3.0, 0.3 * r_px))
    if box is None:
        return
    x0, y0, x1, y1 = box
    patch = img[y0:y1, x0:x1]
    ph, pw = patch.shape[:2]
    # A sticker is thin: a hairline of shadow on the side away from the light.
    off = np.asarray(light_dir) * max(0.5, 0.05 * r_px)
    sm = cv2.GaussianBlur(
        _mask((ph, pw), rim + off, x0, y0).astype(np.float32), (0, 0), max(0.5, 0.05 * r_px)
    )
    _darken(patch, sm * np.float32(0.18 / 255.0))
    alpha = _mask((ph, pw), rim, x0, y0).astype(np.float32) / 255.0
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    # The highlight is the lamp's reflection: a soft patch on the side towards the light.
    hx, hy = centre - np.asarray(light_dir) * r_px * rng.uniform(0.2, 0.55) - (x0, y0)
    hr = r_px * rng.uniform(0.25, 0.5)
    spot = np.exp(-((xx - hx) ** 2 + (yy - hy) ** 2) / (2 * hr * hr)) * min(0.85, dot.gloss)
    face = np.float32(dot.bgr) * rng.uniform(0.93, 1.04)
    fill = np.clip(face * (1 - spot[..., None]) + np.float32(250) * spot[..., None], 0, 255).astype(
        np.uint8
    )
    patch[:] = cv2.blendLinear(fill, patch, alpha, 1 - alpha)


def _noise_luts(sigma: float):
    """Lookup tables turning uniform bytes into Gaussian noise (split into + and - parts)."""
    nd = NormalDist(0.0, sigma)
    vals = np.array([nd.inv_cdf((k + 0.5) / 256) for k in range(256)])
    vals = np.round(vals).astype(np.int16)
    return np.clip(vals, 0, 255).astype(np.uint8), np.clip(-vals, 0, 255).astype(np.uint8)


def camera(rng, img: np.ndarray, tier, light_dir) -> np.ndarray:
    """Uneven light, a colour cast, mild blur, sensor noise and JPEG, in that order."""
    height, width = img.shape[:2]
    q = 16
    h, w = -(-height // q), -(-width // q)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx = xx / w - 0.5
    yy = yy / h - 0.5
    k = tier.light
    gain = 1 - k * 0.6 * (xx * light_dir[0] + yy * light_dir[1]) * 2 * rng.uniform(0.5, 1.0)
    gain -= k * 0.6 * (xx * xx + yy * yy) * rng.uniform(0.5, 1.0)  # vignetting
    gain += _smooth_field(rng, h, w, 4, k * 0.15)
    gain *= rng.uniform(0.88, 1.04)
    cast = rng.uniform(*tier.cast)
    a = rng.uniform(0, 2 * math.pi)
    # White balance off by `cast`: warm/cool along blue-red, tint along green-magenta.
    ch = np.float32([1 - cast * math.cos(a), 1 + cast * math.sin(a) * 0.6, 1 + cast * math.cos(a)])
    ch /= max(1.0, float(ch.max()))
    g3 = np.clip(gain[..., None] * ch * 128, 0, 255).astype(np.uint8)
    g3 = cv2.resize(g3, (width, height), interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(img, g3, scale=1 / 128)
    del g3
    sigma = rng.uniform(*tier.blur)
    if sigma > 0.2:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = rng.uniform(*tier.noise)
    plus, minus = _noise_luts(noise)
    u = rng.integers(0, 256, out.shape, dtype=np.uint8)
    cv2.add(out, cv2.LUT(u, plus), dst=out)
    cv2.subtract(out, cv2.LUT(u, minus), dst=out)
    del u
    q = int(rng.integers(tier.jpeg[0], tier.jpeg[1] + 1))
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)
