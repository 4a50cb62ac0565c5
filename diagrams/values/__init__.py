"""Values of diagrams: one kind of statistics (valuation) per module."""
