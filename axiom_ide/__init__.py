"""Axiom IDE: a desktop IDE and bundled runtime for Axiom flows."""

__version__ = "0.1.0"
