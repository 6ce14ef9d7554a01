"""ICE detainer cooperation by Massachusetts county: data acquisition, tidy tables and measures."""

__version__ = "0.1.0"
