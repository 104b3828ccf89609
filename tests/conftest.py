"""Every test is headless: SDL's dummy drivers and gpiozero's mock pins, set before anything imports them."""

import os
from pathlib import Path

import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["GPIOZERO_PIN_FACTORY"] = "mock"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

# Real wall photos live beside the clone (CI has them); tests that use them skip where absent.
REAL_PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


@pytest.fixture(autouse=True)
def _mock_pins():
    """A fresh gpiozero MockFactory for each test, so pins never leak between tests."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    Device.pin_factory = MockFactory()
    yield
    Device.pin_factory.reset()
    Device.pin_factory = None


@pytest.fixture
def real_photos() -> Path:
    if not REAL_PHOTOS.is_dir():
        pytest.skip("../shared/data/real is not beside this clone")
    return REAL_PHOTOS
