"""Sympy landscapes (a sample loss and its noise), the paper's examples, and Monte-Carlo SGD on them."""
