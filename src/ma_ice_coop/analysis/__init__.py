"""Measures, models and dated events computed from the processed tables."""
