"""Bundled sample wall photos for the demo and the tests."""
