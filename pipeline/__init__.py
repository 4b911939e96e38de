"""reportsubs: subtitles for Arabic news video reports, aligned to the article's own text."""

__version__ = "0.1.0"
