"""Qwen sourcing bot: answers who stands behind which part of Qwen, from a curated FAQ."""

__version__ = "0.1.0"
