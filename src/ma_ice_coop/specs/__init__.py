"""Notebook specs and their parameters, validated once, before any kernel starts."""
