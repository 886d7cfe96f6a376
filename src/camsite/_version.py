"""The package version (its own module, so that camsite/__init__.py can import the whole API)."""

__version__ = "0.1.0"
