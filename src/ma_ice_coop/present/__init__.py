"""Presentation: number, date and list formatting, HTML tables and pages, figures."""
