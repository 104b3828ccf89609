"""Sounds and sample walls, installed as the device.assets package (see pyproject.toml)."""
