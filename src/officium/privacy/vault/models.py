"""Models of this engine part."""
