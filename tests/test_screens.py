"""The screens: every one at four sizes, laid out inside the surface without overlaps, readable,
distinguishable without colour, and showing what the button does now."""

import sys
from dataclasses import replace

import cv2
import numpy as np
import pygame
import pytest

from device import session as S
from device.gestures import GestureDetector
from device.screens import Pictures, make_view, palette_of, press_of, render
from device.screens import text as T
from device.screens.board import takes_turns
from device.screens.canvas import BLOCK, ITEM, OVERLAY, overlaps, strays
from device.screens.gallery import main as gallery_main
from device.screens.gallery import parse_size, scenes
from device.screens.theme import NEUTRAL, PAUSED, TIME_UP, WARNING, contrast, grey
from device.screens.view import Photo
from device.worker import Counted
from vision.board import Board, Dot, Note, rank_notes

SIZES = [(480, 320), (800, 480), (1280, 720), (1920, 1080)]
COLOURS = ["yellow", "pink", "green", "blue", "orange", "purple", "white"]
BGR = {"yellow": (80, 225, 250), "pink": (190, 140, 255), "green": (130, 220, 150)}


def made_wall(n: int, tie: bool = True) -> Counted:
    """A counted wall of `n` notes with drawn pictures (votes fall off in pairs, so ties)."""
    notes, pictures = [], {}
    for i in range(n):
        x, y = 150 + (i % 8) * 200, 150 + (i // 8) * 200
        votes = max(0, 7 - (i // 2 if tie else i))
        colour = COLOURS[i % len(COLOURS)]
        dots = tuple(Dot((x - 40 + 12 * k, y), 8.0, "red") for k in range(votes))
        polygon = ((x - 70, y - 70), (x + 70, y - 70), (x + 70, y + 70), (x - 70, y + 70))
        notes.append(Note(id=i + 1, polygon=polygon, center=(x, y), colour=colour, dots=dots))
        picture = np.full((140, 130 + (i % 3) * 20, 3), BGR.get(colour, (200, 200, 200)), np.uint8)
        for k in range(votes):
            cv2.circle(picture, (20 + 15 * k, 100), 7, (40, 40, 220), -1)
        cv2.putText(picture, f"T{i + 1}", (10, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
        pictures[i + 1] = cv2.imencode(".png", picture)[1].tobytes()
    board = Board(width=1800, height=1200, notes=rank_notes(notes))
    small_photo = np.full((600, 900, 3), 230, np.uint8)
    return Counted(board=board, pictures=pictures, small_photo=small_photo)


@pytest.fixture(scope="module")
def wall():
    return made_wall(6)


@pytest.fixture(scope="module")
def gallery(wall):
    pygame.font.init()
    return list(scenes(wall))


def check_layout(surface, view, pictures=None):
    drawn = render(surface, view, pictures or Pictures())
    assert overlaps(drawn) == [], f"{view.screen}: blocks overlap"
    assert strays(drawn, surface.get_size()) == [], f"{view.screen}: drawn outside"
    return drawn


def texts(drawn) -> list[str]:
    return [d.name[6:-1] for d in drawn if d.kind == ITEM and d.name.startswith("text ")]


# A screen mounted sideways (screen_rotation_degrees = 90) is drawn upright: portrait.
@pytest.mark.parametrize("size", [*SIZES, (480, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits_its_surface_without_overlaps(size, gallery):
    surface = pygame.Surface(size)
    pictures = Pictures()
    names = set()
    for name, view in gallery:
        names.add(view.screen)
        drawn = check_layout(surface, view, pictures)
        assert sum(1 for d in drawn if d.kind == BLOCK) >= 4, name
    assert names == set(S.Screen), "the gallery must show every screen"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_crowded_and_wordy_screens_still_fit(size):
    """30 topics, no pictures, a long message and a saving failure at once."""
    crowded = made_wall(30)
    crowded = replace(crowded, pictures={k: v for k, v in crowded.pictures.items() if k % 2})
    long = "Re-scan: " + ", ".join(f"{n} new topics" for n in range(1, 12)) + "."
    surface = pygame.Surface(size)
    for name, view in scenes(crowded):
        view = replace(
            view,
            message=long,
            saving="Cannot open /var/lib/leancoffee/leancoffee.db: the disk is read-only.",
        )
        drawn = check_layout(surface, view)
        if view.screen is S.Screen.BOARD and not (view.board_page and takes_turns(size)):
            shown = [d for d in drawn if d.kind == BLOCK and d.name.startswith("tile ")]
            more = [d for d in drawn if d.name == "more topics"]
            assert len(shown) + len(more) >= 1, name
            if more:
                assert any(t.startswith("+") for t in texts(drawn)), (
                    "the more-topics tile says how many"
                )


def test_a_twelve_minute_slot_shows_minutes_in_two_digits_and_fits():
    rules = S.Rules(slot_seconds=720.0)
    surface = pygame.Surface((480, 320))
    views = dict(scenes(made_wall(4), rules))
    drawn = check_layout(surface, views["slot"])
    digits = [d for d in drawn if d.name.startswith("digits")]
    assert digits and digits[0].name.startswith("digits '10:"), digits


@pytest.mark.parametrize("name", ["slot", "warning", "paused", "paused-saving-stopped"])
def test_countdown_digits_are_a_third_of_an_800x480_screen(gallery, name):
    view = dict(gallery)[name]
    drawn = render(pygame.Surface((800, 480)), view)
    digits = [d for d in drawn if d.name.startswith("digits")]
    assert len(digits) == 1
    assert digits[0].r.height >= 480 / 3, digits[0]


def test_text_is_never_smaller_than_the_minimum(gallery):
    surface = pygame.Surface((480, 320))
    smallest = T.line_height(T.MIN_SIZE)
    for name, view in gallery:
        for d in render(surface, view):
            if d.kind == ITEM and d.name.startswith("text "):
                assert d.r.height >= smallest - 1, (name, d)


def test_the_buttons_actions_read_from_across_the_table_on_the_small_screen(gallery):
    # Three gestures (or long actions) take two rows on a 480x320 screen: the footer grows
    # so that their text stays as tall as a readable row gives (it was 12-13 px).
    surface = pygame.Surface((480, 320))
    for name, view in gallery:
        chips = [d for d in render(surface, view) if (d.block or "").startswith("chip")]
        heights = [d.r.height for d in chips if d.name.startswith("text ")]
        assert heights and min(heights) >= 15, (name, heights)


def test_states_differ_in_brightness_and_icon_not_hue_alone(gallery):
    looks = {S.Screen.SLOT: NEUTRAL, S.Screen.WARNING: WARNING, S.Screen.PAUSED: PAUSED}
    looks[S.Screen.TIME_UP] = TIME_UP
    levels = sorted(grey(p.bg) for p in looks.values())
    assert min(b - a for a, b in zip(levels, levels[1:], strict=False)) >= 25, levels
    for screen, palette in looks.items():
        assert palette_of(screen) is palette
    surface = pygame.Surface((800, 480))
    icons_seen = {}
    for name, view in gallery:
        if view.screen in looks and not view.flash and name.count("-") <= 1:
            drawn = render(surface, view)
            corner = surface.get_at((1, 1))[:3]
            assert abs(grey(corner) - grey(looks[view.screen].bg)) < 1, name
            icon = [
                d.name for d in drawn if d.block == "header title" and d.name.startswith("icon")
            ]
            icons_seen.setdefault(view.screen, set()).update(icon)
    assert len({frozenset(v) for v in icons_seen.values()}) == 4, icons_seen


@pytest.mark.parametrize("palette", [NEUTRAL, WARNING, TIME_UP, PAUSED])
def test_text_contrast_is_readable(palette):
    assert contrast(palette.fg, palette.bg) >= 4.5
    assert contrast(palette.muted, palette.bg) >= 3.0
    assert contrast(palette.fg, palette.panel) >= 3.0


def test_every_screen_says_what_tap_and_hold_do(gallery):
    surface = pygame.Surface((800, 480))
    for name, view in gallery:
        shown = texts(render(surface, view))
        assert any(t.startswith("tap: ") for t in shown), (name, shown)
        assert any(t.startswith("hold: ") for t in shown), (name, shown)
        has_long = any(t.startswith("long hold: ") for t in shown)
        assert has_long == (view.long_hold is not None), name
        if view.tap:
            assert f"tap: {view.tap}" in shown, name


def press_view(state, seconds):
    detector = GestureDetector(long_hold_enabled=state.long_hold_enabled)
    detector.press(0.0)
    progress = detector.progress(seconds)
    return make_view(state, state.now, press=press_of(progress, state.long_hold_enabled, 1.0, 3.0))


def ring_pixels(surface, drawn, colour):
    ring = next(d for d in drawn if d.name == "press ring").r
    pixels = pygame.surfarray.pixels3d(surface)[ring.x : ring.right, ring.y : ring.bottom]
    return int(np.all(pixels == colour, axis=2).sum())


def test_the_press_ring_fills_towards_hold_and_lights_the_gesture(gallery):
    state = S.start(S.Rules(), 0.0)
    surface = pygame.Surface((800, 480))
    up = render(surface, make_view(state, 0.0))
    assert ring_pixels(surface, up, NEUTRAL.accent) == 0
    quarter = ring_pixels(surface, render(surface, press_view(state, 0.25)), NEUTRAL.accent)
    three_quarters = render(surface, press_view(state, 0.75))
    assert 0 < quarter < ring_pixels(surface, three_quarters, NEUTRAL.accent)
    assert "tap" in texts(three_quarters), "the ring says what releasing now makes"
    chip = next(d for d in three_quarters if d.name == "chip tap").r
    assert tuple(surface.get_at((chip.x + chip.w // 2, chip.y + 1)))[:3] == NEUTRAL.accent


def test_the_ring_goes_on_to_a_long_hold_where_one_has_an_action(gallery):
    time_up = next(v for n, v in gallery if n == "time-up")
    assert time_up.long_hold is not None
    view = replace(time_up, press=press_of(_progress(2.0, True), True, 1.0, 3.0))
    drawn = render(pygame.Surface((800, 480)), view)
    assert "hold" in texts(drawn)
    view = replace(time_up, press=press_of(_progress(3.0, True), True, 1.0, 3.0))
    assert "long" in texts(render(pygame.Surface((800, 480)), view))


def _progress(seconds, long_enabled):
    detector = GestureDetector(long_hold_enabled=long_enabled)
    detector.press(0.0)
    return detector.progress(seconds)


def test_the_silent_speaker_flash_inverts_the_screen_and_says_the_sound(gallery):
    view = dict(gallery)["time-up"]
    surface = pygame.Surface((800, 480))
    render(surface, view)
    plain = surface.get_at((1, 1))[:3]
    drawn = render(surface, replace(view, flash="squeak"))
    assert [d.name for d in drawn if d.kind == OVERLAY] == ["flash"]
    assert surface.get_at((1, 1))[:3] == tuple(255 - c for c in plain)


def test_views_change_only_when_something_visible_changes(wall):
    rules = S.Rules()
    state = S.start(rules, 0.0)
    state = S.handle(state, S.TAP, 0.0)[0]
    state = S.handle(state, S.TICK, 3.0)[0]
    state = S.handle(state, S.ScanDone(wall.board, wall.pictures), 4.0)[0]
    photo = Photo(wall.small_photo)
    board = make_view(state, 4.0, photo=photo)
    assert make_view(state, 30.0, photo=photo) == board, "an idle board needs no redraw"
    assert make_view(state, 30.0, photo=Photo(wall.small_photo)) != board, "a new photo does"
    state = S.handle(state, S.TAP, 5.0)[0]
    first = make_view(state, 5.0)
    assert make_view(state, 5.6) == first, "the same second of the countdown"
    assert make_view(state, 6.01) != first, "the next second"
    assert make_view(state, 6.01).left == 479


def test_error_screen_says_what_is_wrong_and_what_to_do(gallery):
    view = dict(gallery)["error"]
    shown = " ".join(texts(render(pygame.Surface((480, 320)), view)))
    assert "No camera found" in shown and "leancoffee check" in shown


def test_time_up_asks_for_thumbs_only_while_an_extension_is_left(gallery):
    views = dict(gallery)
    ask = " ".join(texts(render(pygame.Surface((800, 480)), views["time-up"])))
    assert "Thumbs up" in ask
    last = " ".join(texts(render(pygame.Surface((800, 480)), views["time-up-no-extension-left"])))
    assert "Thumbs up" not in last and "No extension left" in last


def test_a_small_screen_shows_the_board_topics_and_photo_in_turn(monkeypatch):
    pygame.font.init()
    views = dict(scenes(made_wall(10)))

    def blocks(view, size):
        return {d.block for d in render(pygame.Surface(size), view)}

    def tile_side(view, size):
        return max(
            d.r.width for d in render(pygame.Surface(size), view) if d.name.startswith("tile")
        )

    topics, photo = views["board"], views["board-photo-turn"]
    assert "photo" not in blocks(topics, (480, 320))
    assert "photo" in blocks(photo, (480, 320))
    assert not any(b and b.startswith("tile") for b in blocks(photo, (480, 320)))
    # A bigger screen shows both at once, whatever the turn.
    assert blocks(topics, (800, 480)) == blocks(photo, (800, 480))
    # The topics' turn has the whole width: tiles half as big again as beside the photo.
    alone = tile_side(topics, (480, 320))
    monkeypatch.setattr(sys.modules["device.screens.board"], "takes_turns", lambda size: False)
    assert alone >= 1.4 * tile_side(topics, (480, 320))


def test_a_notice_too_long_for_one_line_gets_two_except_on_the_slot(gallery):
    from types import SimpleNamespace

    from device.screens import chrome

    views = dict(gallery)
    size = (480, 320)
    canvas = SimpleNamespace(size=size)
    long = "settings.toml: slot_minutes is -8, but a time cannot be negative; using the default 8."
    one, two = chrome.Frame.of(size, 1).banner, chrome.Frame.of(size, 2).banner
    assert two.height > one.height
    ready = replace(views["ready"], message=long)
    assert chrome.frame_for(canvas, ready).banner == two
    assert chrome.frame_for(canvas, replace(ready, message="Re-scan: 2 new.")).banner == one
    slot = replace(views["slot"], message=long)
    assert chrome.frame_for(canvas, slot, max_lines=1).banner == one
    # Drawn: the notice's text is bigger on two lines than squeezed onto one.
    drawn = render(pygame.Surface(size), ready)
    lines = [d for d in drawn if d.block == "banner" and d.name.startswith("text")]
    assert len(lines) == 2 and min(d.r.height for d in lines) >= T.MIN_SIZE + 2


def test_saving_stopped_is_on_screen(gallery):
    view = dict(gallery)["paused-saving-stopped"]
    shown = " ".join(texts(render(pygame.Surface((800, 480)), view)))
    assert "Saving has stopped" in shown


def test_settings_problem_names_the_key_on_the_ready_screen(gallery):
    view = dict(gallery)["ready-settings-problem"]
    shown = " ".join(texts(render(pygame.Surface((1280, 720)), view)))
    assert "slot_minutes" in shown


def test_gallery_writes_every_screen(tmp_path, monkeypatch):
    import device.screens.gallery as gallery

    wall_file = tmp_path / "wall.png"
    wall = made_wall(5)
    image = np.full((1200, 1800, 3), 235, np.uint8)
    monkeypatch.setattr(gallery, "count_wall", lambda image: wall)
    cv2.imwrite(str(wall_file), image)
    assert gallery_main([str(tmp_path / "out"), "--size", "480x320", "--wall", str(wall_file)]) == 0
    files = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert len(files) == len(list(scenes(wall)))
    assert pygame.image.load(str(tmp_path / "out" / "board.png")).get_size() == (480, 320)
    readme = tmp_path / "readme"
    assert gallery_main([str(readme), "--readme", "--wall", str(wall_file)]) == 0
    assert sorted(p.stem for p in readme.glob("*.png")) == sorted(gallery.README)
    assert pygame.image.load(str(readme / "slot.png")).get_size() == (800, 480)


@pytest.mark.parametrize("bad", ["800", "axb", "100x50"])
def test_gallery_size_must_be_sensible(bad):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(bad)
