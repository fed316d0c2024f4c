"""Utilities shared by skinfluence components (validation, optional imports, checks)."""
