"""CLI wrappers, one module per step; see silkpipe.cli."""
