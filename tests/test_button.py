"""Button sources feed the inbox; mock GPIO pins, pygame events and stdin lines, no sleeps."""

import io
import logging
import threading

import pygame
import pytest

from device.button import (
    ButtonError,
    GpioButton,
    Inbox,
    KeyboardButton,
    StdinButton,
    open_button,
    pygame_edge,
)
from device.gestures import Gesture, GestureDetector


class Clock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(100.0)


@pytest.fixture
def inbox(clock):
    return Inbox(clock=clock)


def test_gpio_tap_from_mock_pin(clock, inbox):
    button = GpioButton(inbox, pin=17)
    d = GestureDetector()
    button._button.pin.drive_low()
    clock.now += 0.2
    button._button.pin.drive_high()
    assert inbox.gestures(d, clock.now) == [Gesture.TAP]
    button.close()


def test_gpio_hold_fires_before_release(clock, inbox):
    button = GpioButton(inbox, pin=17)
    d = GestureDetector()
    button._button.pin.drive_low()
    assert button.is_pressed
    assert inbox.gestures(d, clock.now + 0.5) == []
    assert d.next_deadline() == pytest.approx(101.0)
    assert inbox.gestures(d, clock.now + 1.0) == [Gesture.HOLD]
    clock.now += 2.0
    button._button.pin.drive_high()
    assert inbox.gestures(d, clock.now) == []


def test_gpio_edges_carry_the_time_they_happened_not_the_time_they_were_read(clock, inbox):
    button = GpioButton(inbox, pin=17)
    d = GestureDetector()
    button._button.pin.drive_low()
    clock.now += 0.3
    button._button.pin.drive_high()
    # The loop gets round to it much later: still a tap, not a hold.
    assert inbox.gestures(d, clock.now + 5.0) == [Gesture.TAP]


def test_gpio_without_pull_up_is_pressed_when_driven_high(clock, inbox):
    button = GpioButton(inbox, pin=22, pull_up=False)
    button._button.pin.drive_high()
    clock.now += 0.1
    button._button.pin.drive_low()
    assert inbox.gestures(GestureDetector(), clock.now) == [Gesture.TAP]


def test_gpio_callbacks_wake_the_loop(clock):
    woken = []
    inbox = Inbox(clock=clock, notify=lambda: woken.append(True))
    button = GpioButton(inbox, pin=17)
    button._button.pin.drive_low()
    button._button.pin.drive_high()
    assert len(woken) == 2
    assert inbox.wait(0)


def test_gpio_pin_in_use_is_a_plain_error(inbox):
    first = GpioButton(inbox, pin=17)
    with pytest.raises(ButtonError, match="GPIO17 is in use"):
        GpioButton(inbox, pin=17)
    first.close()


def test_gpio_bad_pin_is_a_plain_error(inbox):
    with pytest.raises(ButtonError, match="does not exist"):
        GpioButton(inbox, pin=99)


def test_gpio_library_without_a_writable_folder_says_where_to_run(inbox, monkeypatch):
    import warnings

    from gpiozero import Device
    from gpiozero.exc import BadPinFactory, PinFactoryFallback

    def lgpio_cannot_make_its_pipe(*args, **kwargs):
        # What gpiozero does when lgpio cannot write its pipe in the current folder.
        warnings.warn(
            PinFactoryFallback(
                "Falling back from lgpio: [Errno 2] No such file or directory: '.lgd-nfy-3'"
            ),
            stacklevel=2,
        )
        raise BadPinFactory("Unable to load any default pin factory!")

    monkeypatch.setattr(Device.pin_factory, "pin", lgpio_cannot_make_its_pipe)
    with pytest.raises(ButtonError, match="cannot write in the current folder"):
        GpioButton(inbox, pin=17)


def test_a_pin_another_program_holds_names_the_service(inbox, monkeypatch):
    from gpiozero import Device

    class error(Exception):  # lgpio's own exception type, as gpio_claim_input raises it
        pass

    def claimed(*args, **kwargs):
        raise error("GPIO busy")

    monkeypatch.setattr(Device.pin_factory, "pin", claimed)
    with pytest.raises(ButtonError, match="in use by another program .*systemctl stop"):
        GpioButton(inbox, pin=17)


def test_gpio_chips_the_user_may_not_open_ask_for_the_gpio_group(inbox, monkeypatch):
    import warnings

    from gpiozero import Device
    from gpiozero.exc import BadPinFactory, PinFactoryFallback

    from device import button

    def no_access(*args, **kwargs):
        warnings.warn(
            PinFactoryFallback("Falling back from lgpio: can not open gpiochip"), stacklevel=2
        )
        raise BadPinFactory("Unable to load any default pin factory!")

    monkeypatch.setattr(Device.pin_factory, "pin", no_access)
    monkeypatch.setattr(button, "_gpio_chips_unusable", lambda: True)
    with pytest.raises(ButtonError, match="add the user to the gpio group"):
        GpioButton(inbox, pin=17)
    monkeypatch.setattr(button, "_gpio_chips_unusable", lambda: False)
    with pytest.raises(ButtonError, match="No GPIO pins here"):
        GpioButton(inbox, pin=17)


def key(kind, k=pygame.K_SPACE):
    return pygame.event.Event(kind, key=k, mod=0, unicode=" ", scancode=44)


def test_pygame_edges():
    assert pygame_edge(key(pygame.KEYDOWN)) is True
    assert pygame_edge(key(pygame.KEYUP)) is False
    assert pygame_edge(key(pygame.KEYDOWN, pygame.K_a)) is None
    assert pygame_edge(pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.5, finger_id=0)) is True
    assert pygame_edge(pygame.event.Event(pygame.FINGERUP, x=0.5, y=0.5, finger_id=0)) is False
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(1, 1), touch=False)
    assert pygame_edge(click) is True
    from_touch = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(1, 1), touch=True)
    assert pygame_edge(from_touch) is None  # the finger event already counted
    right = pygame.event.Event(pygame.MOUSEBUTTONUP, button=3, pos=(1, 1), touch=False)
    assert pygame_edge(right) is None
    assert pygame_edge(pygame.event.Event(pygame.QUIT)) is None


def test_space_bar_hold(clock, inbox):
    button = KeyboardButton(inbox)
    d = GestureDetector()
    assert button.handle_event(key(pygame.KEYDOWN))
    clock.now += 0.05
    assert button.handle_event(key(pygame.KEYDOWN))  # key repeat: still one press
    assert not button.handle_event(key(pygame.KEYDOWN, pygame.K_a))
    assert inbox.gestures(d, 101.0) == [Gesture.HOLD]
    clock.now = 101.5
    button.handle_event(key(pygame.KEYUP))
    assert inbox.gestures(d, clock.now) == []


def test_touch_is_a_button_too(clock, inbox):
    button = KeyboardButton(inbox)
    d = GestureDetector()
    button.handle_event(pygame.event.Event(pygame.FINGERDOWN, x=0.1, y=0.1, finger_id=0))
    clock.now += 0.3
    button.handle_event(pygame.event.Event(pygame.FINGERUP, x=0.1, y=0.1, finger_id=0))
    assert inbox.gestures(d, clock.now) == [Gesture.TAP]


def test_only_the_source_that_pressed_can_release(clock, inbox):
    gpio = GpioButton(inbox, pin=17)
    d = GestureDetector()
    gpio._button.pin.drive_low()
    clock.now += 0.2
    gpio.handle_event(pygame.event.Event(pygame.FINGERDOWN, x=0.1, y=0.1, finger_id=0))
    gpio.handle_event(pygame.event.Event(pygame.FINGERUP, x=0.1, y=0.1, finger_id=0))
    assert inbox.gestures(d, clock.now) == []  # the GPIO button is still down
    clock.now = 101.0
    assert inbox.gestures(d, clock.now) == [Gesture.HOLD]
    gpio._button.pin.drive_high()
    assert inbox.gestures(d, clock.now) == []
    assert not d.is_down


def test_stdin_lines_become_gestures(inbox, caplog):
    woken = []
    inbox.notify = lambda: woken.append(True)
    stream = io.StringIO("tap\nbogus\n\n  HOLD \nlong\nlong hold\n")
    with caplog.at_level(logging.INFO, logger="device.button"):
        button = StdinButton(inbox, stream)
        assert button.join(timeout=10)
    d = GestureDetector()
    assert inbox.gestures(d, 0.0) == [
        Gesture.TAP,
        Gesture.HOLD,
        Gesture.LONG_HOLD,
        Gesture.LONG_HOLD,
    ]
    assert "ignored 'bogus'" in caplog.text
    assert "end of input" in caplog.text
    assert button.finished.is_set()
    assert len(woken) == 5  # four gestures and the end of input


def test_stdin_closed_stream_ends_quietly(inbox):
    stream = io.StringIO("tap\n")
    stream.close()
    button = StdinButton(inbox, stream)
    assert button.join(timeout=10)
    assert inbox.drain() == []


def test_inbox_wait_wakes_on_another_thread(inbox):
    assert inbox.wait(0) is False
    t = threading.Thread(target=inbox.edge, args=(True, "test"))
    t.start()
    assert inbox.wait(10) is True
    t.join()
    assert len(inbox.drain()) == 1


def test_open_button_by_name(inbox):
    assert isinstance(open_button("keyboard", inbox), KeyboardButton)
    gpio = open_button("gpio", inbox, pin=5, pull_up=False, bounce_seconds=0.05)
    assert isinstance(gpio, GpioButton) and gpio.name == "GPIO5"
    assert gpio._button.pin.bounce == pytest.approx(0.05)
    gpio.close()
    assert isinstance(open_button("auto", inbox, pin=6), GpioButton)  # mock pins work here
    stdin = open_button("stdin", inbox, stream=io.StringIO(""))
    assert isinstance(stdin, StdinButton) and stdin.join(10)
    with pytest.raises(ButtonError, match="Unknown button 'joystick'"):
        open_button("joystick", inbox)


def test_auto_falls_back_to_keyboard_without_gpio(inbox, monkeypatch):
    from gpiozero import Device
    from gpiozero.exc import BadPinFactory

    def no_pins(*args, **kwargs):
        raise BadPinFactory("Unable to load any default pin factory!")

    monkeypatch.setattr(Device.pin_factory, "pin", no_pins)
    with pytest.raises(ButtonError, match="No GPIO pins here"):
        open_button("gpio", inbox)
    assert isinstance(open_button("auto", inbox), KeyboardButton)
