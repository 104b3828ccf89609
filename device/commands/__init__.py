"""Sub-commands of `leancoffee`, one module each (see device/cli.py)."""
