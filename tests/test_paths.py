"""Where settings and meetings live: the device's folders, a PC user's XDG folders."""

from __future__ import annotations

from device import paths


def test_pc_user_gets_xdg_folders(tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(paths, "DEVICE_DATA", tmp_path / "var-lib-leancoffee")
    monkeypatch.setattr(paths, "DEVICE_SETTINGS", tmp_path / "etc" / "settings.toml")
    assert paths.default_data_dir() == tmp_path / "state" / "leancoffee"
    assert paths.default_settings_path() == tmp_path / "config" / "leancoffee" / "settings.toml"


def test_an_operator_shell_on_the_device_finds_the_devices_folders(tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    device_data = tmp_path / "var-lib-leancoffee"
    device_data.mkdir()
    settings = tmp_path / "etc" / "settings.toml"
    settings.parent.mkdir()
    settings.write_text("slot_minutes = 6\n")
    monkeypatch.setattr(paths, "DEVICE_DATA", device_data)
    monkeypatch.setattr(paths, "DEVICE_SETTINGS", settings)
    assert paths.default_data_dir() == device_data
    assert paths.default_settings_path() == settings
    # A user with folders of their own keeps them.
    (tmp_path / "state" / "leancoffee").mkdir(parents=True)
    assert paths.default_data_dir() == tmp_path / "state" / "leancoffee"


def test_under_systemd_the_state_directory_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "unit-state"))
    assert paths.default_data_dir() == tmp_path / "unit-state"
    assert paths.on_device()
