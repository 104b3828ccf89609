"""leancoffee: the appliance (settings, session rules, storage, hardware, screens, CLI)."""

__version__ = "0.1.0"
