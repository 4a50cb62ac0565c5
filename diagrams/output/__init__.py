"""Presentation: LaTeX, tables and pictures of diagrams, values and series."""
