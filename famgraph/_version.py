"""The famgraph version, in one place (``famgraph.__version__`` re-exports it)."""

__version__ = "0.1.0"
