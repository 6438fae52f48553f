"""Moved to ``reelgraph.sniff`` (the shared modules), so the media engine can sniff downloads."""

from reelgraph.sniff import HEAD_BYTES, Sniffed, sniff

__all__ = ["HEAD_BYTES", "Sniffed", "sniff"]
