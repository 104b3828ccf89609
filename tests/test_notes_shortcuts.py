"""The note finder's shortcuts give what the plain OpenCV and numpy calls they stand for give:
component stats from row runs, quads ordered in plain floats, overlaps skipped for quads
whose boxes are apart, outlines' rectangles instead of all their pixels'."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision.geometry import order_quad
from vision.notes.regions import _BIG_MAP, _components
from vision.notes.shapes import _boxes, _cyclic, _meeting, _ordered, _overlap
from vision.notes.unclaimed import _block


def _reference(flat: np.ndarray):
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    return count, labels, stats


def _assert_same_components(flat: np.ndarray) -> None:
    count, labels, stats = _components(flat)
    want_count, want_labels, want_stats = _reference(flat)
    assert count == want_count
    assert np.array_equal(labels, want_labels)
    assert np.array_equal(stats[1:], want_stats[1:])  # the background's row is not used


def _blobs(seed: int, shape=(300, 400)) -> np.ndarray:
    """A 0/255 map of flat patches: noise blurred and cut at a level (touching diagonally,
    holes, runs to the border: what a gradient map cut at a threshold looks like)."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 3)
    return np.where(noise > np.median(noise), 255, 0).astype(np.uint8)


@pytest.mark.parametrize("seed", range(5))
def test_component_stats_from_row_runs_are_opencvs(seed):
    flat = _blobs(seed)
    assert flat.size >= _BIG_MAP  # the row-run path, not the fallback
    _assert_same_components(flat)
    _assert_same_components(flat // 255)  # a 0/1 mask (leftover paper) as well


def test_component_stats_of_a_map_with_no_flat_pixel_or_all_flat():
    for value in (0, 255):
        _assert_same_components(np.full((300, 300), value, np.uint8))


def test_component_stats_of_a_checkerboard_every_pixel_its_own_region():
    # 4-connectivity: diagonal neighbours are apart, every run one pixel long
    yy, xx = np.mgrid[:256, :300]
    _assert_same_components(np.where((yy + xx) % 2 == 0, 255, 0).astype(np.uint8))


def test_component_stats_of_a_small_map_are_opencvs_too():
    _assert_same_components(_blobs(7, (40, 60)))


_coords = st.floats(-500, 500, allow_nan=False, width=32)


def _cyclic_numpy(points) -> np.ndarray:
    """_cyclic as numpy arrays put it (its first form)."""
    q = np.asarray(points, dtype=np.float64).reshape(4, 2)
    x, y = q[:, 0], q[:, 1]
    following = [1, 2, 3, 0]
    if float((x * y[following] - x[following] * y).sum()) < 0:
        q = q[::-1]
    start = int(np.argmin(q[:, 0] + q[:, 1]))
    return q[[start, (start + 1) % 4, (start + 2) % 4, (start + 3) % 4]]


@settings(max_examples=200, deadline=None)
@given(cx=_coords, cy=_coords, w=st.floats(0, 300), h=st.floats(0, 300), angle=st.floats(-90, 90))
def test_cyclic_in_plain_floats_is_cyclic_in_numpy(cx, cy, w, h, angle):
    box = cv2.boxPoints(((cx, cy), (w, h), angle))
    for points in (box, box[::-1], box.astype(np.float64) * 1.3):
        assert np.array_equal(_cyclic(points), _cyclic_numpy(points))


@settings(max_examples=200, deadline=None)
@given(cx=_coords, cy=_coords, w=st.floats(1, 300), h=st.floats(1, 300), angle=st.floats(-40, 40))
def test_cyclic_orders_a_rectangle_as_order_quad_does(cx, cy, w, h, angle):
    # (a square turned 45 degrees has two top-left corners: each picks one)
    box = cv2.boxPoints(((cx, cy), (w, h), angle))
    for points in (box, box[::-1]):
        assert np.array_equal(_cyclic(points), order_quad(points))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_coords, _coords, st.floats(1, 200), st.floats(1, 200)), min_size=2),
    st.floats(-45, 45),
)
def test_overlap_of_quads_with_boxes_apart_is_nothing_and_meeting_finds_the_rest(rects, angle):
    quads = [cv2.boxPoints(((x, y), (w, h), angle)).astype(np.float64) for x, y, w, h in rects]
    quad, others = quads[0], quads[1:]
    near = set(_meeting(quad, _boxes(others)).tolist())
    for i, other in enumerate(others):
        a, b = quad.astype(np.float32), other.astype(np.float32)
        inter, _ = cv2.intersectConvexConvex(a, b)
        full = inter / max(min(cv2.contourArea(a), cv2.contourArea(b)), 1e-6)
        assert _overlap(quad, other) == full
        if i not in near:
            assert full == 0.0


def test_meeting_no_boxes():
    assert len(_meeting(np.float64([[0, 0], [1, 0], [1, 1], [0, 1]]), _boxes([]))) == 0


@pytest.mark.parametrize("seed", range(6))
def test_a_patchs_rectangle_is_the_one_round_all_its_pixels(seed):
    # A turned note with bites out of its edge and holes in it (dots, writing).
    rng = np.random.default_rng(seed)
    mask = np.zeros((200, 220), np.uint8)
    box = cv2.boxPoints(((110, 100), (120 + 12 * seed, 90), 6.0 * seed - 15))
    cv2.fillConvexPoly(mask, np.round(box).astype(np.int32), 1)
    for _ in range(8):
        x, y = (int(v) for v in rng.integers(20, 180, 2))
        cv2.circle(mask, (x, y), int(rng.integers(3, 12)), 0, -1)
    count, labels = cv2.connectedComponents(mask, connectivity=4)
    sizes = np.bincount(labels.ravel())[1:]
    piece = (labels == 1 + int(np.argmax(sizes))).astype(np.uint8)
    found = _block((0, 0, piece), (60.0, 45.0, 0.0), most=100.0)
    rect = cv2.minAreaRect(cv2.findNonZero(piece))
    want = order_quad(cv2.boxPoints(rect))
    assert found is not None
    assert np.array_equal(found[0], want)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_coords, _coords), min_size=4, max_size=4))
def test_ordered_is_order_quad(points):
    points = np.array(points, dtype=np.float32)
    assert np.array_equal(_ordered(points), order_quad(points))


@settings(max_examples=200, deadline=None)
@given(cx=_coords, cy=_coords, w=st.floats(0, 300), h=st.floats(0, 300), angle=st.floats(-90, 90))
def test_ordered_is_order_quad_on_boxes_even_flat_ones(cx, cy, w, h, angle):
    box = cv2.boxPoints(((cx, cy), (w, h), angle))
    assert np.array_equal(_ordered(box), order_quad(box))
    scaled = box.astype(np.float64) * 1.7  # in float64, as a quad is scaled back to the photo
    assert np.array_equal(_ordered(scaled), order_quad(scaled))
