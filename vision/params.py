"""The vision's own tuning. Every field has a default that works on the walls the benchmark draws."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    # Notes are found on a downscaled copy whose long side is this many pixels: the smallest
    # note (80 px in a 12 MP photo) is still ~18 px there, and the pass costs a few milliseconds.
    work_size: int = 1024
    # Smallest note side on the downscaled copy, in pixels.
    min_note_px: float = 12.0
    # Notes smaller than this on the downscaled copy are looked for again at a finer scale.
    small_note_px: float = 28.0
    # Edge threshold on the downscaled copy: gradient above max(edge_min, edge_k * median gradient).
    edge_min: float = 18.0
    edge_k: float = 4.0
    # Lab lightness (0-100) below which a region is ink or shadow, never a note: the darkest
    # sticky notes (purple, neon pink) are around 45.
    note_min_lightness: float = 32.0
    # Dots are counted on each note warped to this width (pixels), so every size of note and
    # photo is counted at the same scale.
    note_px: int = 160
    # Dot diameters as a fraction of the note's shorter side: 8-19 mm stickers on 76 mm notes,
    # with room for perspective and rectangular notes.
    dot_min: float = 0.09
    dot_max: float = 0.34
    # How far a dot must differ from the paper (CIE Lab distance) to be seen as a sticker.
    dot_delta_e: float = 10.0
    # The note is looked at again at this share of `dot_delta_e` (0: not), where that shows
    # more than the first look did: dots of about the paper's colour. What only the second
    # look finds must look all the more like a sticker. 0.6 counts the same on the benchmark's
    # walls; at 0.8 faint same-hue dots and dots with a shaded rim are missed again.
    dot_faint: float = 0.7
    # The notes in the running for the top places are looked at closer still, at this share
    # of `dot_delta_e` (0: not), for dots of the paper's own hue, within this Lab distance of
    # its a and b (a yellow dot on a canary note: about 5 from the paper, under the second
    # look). Everything else that faint is shading and ink, and every note so looked at
    # costs a few milliseconds: the notes looked at are those that decide the ranking.
    dot_closer: float = 0.5
    dot_closer_hue: float = 12.0
