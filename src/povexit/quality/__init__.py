"""quality layer."""
