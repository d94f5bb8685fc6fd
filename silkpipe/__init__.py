"""silkpipe: voice-labelled smartwatch motion recordings -> gesture models."""

__version__ = "0.1.0"
