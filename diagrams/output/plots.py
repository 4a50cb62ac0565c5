r"""Plots of predictions beside simulations, in one style (matplotlib; ``pip install 'sgd-diagrams[draw]'``).

A figure always has a title, LaTeX axis labels and its parameters written on
it; theory is drawn as lines on a fine grid, simulations as points with 95%
confidence intervals, and the axes frame the simulated data (a prediction
that leaves the frame is clipped, not allowed to squash the data).

>>> import numpy as np
>>> from diagrams.landscapes.simulate import Estimate
>>> plot = Comparison(r"Mean estimation", r"$T$", r"$E[l(\theta_T)]$", {r"\eta": 0.2, "trials": 1000})
>>> plot.simulation([0, 10], Estimate(np.array([0.5, 0.2]), np.array([0.01, 0.01]), 1000))
>>> plot.theory(np.linspace(0, 10, 50), 0.5 * np.exp(-np.linspace(0, 10, 50) / 10), "resummed")
>>> figure = plot.finish()
>>> figure.axes[0].get_title()
'Mean estimation'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Comparison", "Z95"]

#: The standard-normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054

_STYLES = ("-", "--", ":", "-.")


class Comparison:
    """One figure: predictions (lines) against simulations (points with 95% intervals).

    ``title``, ``xlabel`` and ``ylabel`` are required (LaTeX in ``$…$`` is
    rendered by matplotlib's mathtext); ``parameters`` ({name: value}) are
    written in a box on the plot, names in LaTeX without dollars.
    """

    def __init__(
        self,
        title: str,
        xlabel: str,
        ylabel: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        ax=None,
        xscale: str = "linear",
    ):
        import matplotlib.pyplot as plt

        for name, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"a plot needs a {name}")
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
        self.ax = ax
        self.ax.set_title(title)
        self.ax.set_xlabel(xlabel)
        self.ax.set_ylabel(ylabel)
        self.ax.set_xscale(xscale)
        self.parameters = dict(parameters or {})
        self._data: list[np.ndarray] = []
        self._lines = 0

    def simulation(self, x: Sequence[float], estimate: Any, label: str = "Monte-Carlo SGD (95% CI)", **style) -> None:
        """Points with 95% intervals from an Estimate-like (``.mean``, ``.stderr`` arrays)."""
        xs = np.asarray(x, dtype=float)
        mean, stderr = np.asarray(estimate.mean, dtype=float), np.asarray(estimate.stderr, dtype=float)
        self.ax.errorbar(xs, mean, yerr=Z95 * stderr, fmt="o", ms=4, capsize=2, label=label, zorder=3, **style)
        self._data += [mean - Z95 * stderr, mean + Z95 * stderr]

    def theory(self, x: Sequence[float], y: Sequence[float], label: str, *, frame: bool = False, **style) -> None:
        """A prediction as a line (give it on a fine grid); ``frame=True`` lets it set the axes too."""
        ys = np.asarray(y, dtype=float)
        style.setdefault("linestyle", _STYLES[self._lines % len(_STYLES)])
        self.ax.plot(np.asarray(x, dtype=float), ys, label=label, **style)
        self._lines += 1
        if frame:
            self._data.append(ys)

    def estimates(self, x: Sequence[float], estimates: Sequence[Any], label: str, **style) -> None:
        """Predictions with error bars (Estimates): a line through the means and a 95% band around it."""
        xs = np.asarray(x, dtype=float)
        mean = np.array([float(e.mean) for e in estimates])
        stderr = np.array([float(e.stderr) for e in estimates])
        style.setdefault("linestyle", _STYLES[self._lines % len(_STYLES)])
        (line,) = self.ax.plot(xs, mean, label=label, **style)
        self.ax.fill_between(xs, mean - Z95 * stderr, mean + Z95 * stderr, color=line.get_color(), alpha=0.15)
        self._lines += 1

    def finish(self):
        """Legend, parameter box and axes that frame the data; returns the figure."""
        if self._data:
            values = np.concatenate([np.ravel(d) for d in self._data])
            values = values[np.isfinite(values)]
            if values.size:
                low, high = float(values.min()), float(values.max())
                pad = 0.08 * (high - low) if high > low else 0.1 * max(abs(high), 1e-12)
                self.ax.set_ylim(low - pad, high + pad)
        self.ax.margins(x=0.02)
        self.ax.legend(loc="best", fontsize="small", framealpha=0.9)
        if self.parameters:
            text = ",  ".join(_parameter(name, value) for name, value in self.parameters.items())
            self.ax.text(
                0.99,
                0.01,
                text,
                transform=self.ax.transAxes,
                ha="right",
                va="bottom",
                fontsize="small",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"},
            )
        self.ax.grid(alpha=0.3)
        return self.ax.figure


def _parameter(name: str, value: Any) -> str:
    r"""``$\eta = 0.1$`` for a LaTeX name (a backslash or one letter), ``trials = 40,000`` otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        number = f"{int(value):,}"
    elif isinstance(value, (float, np.floating)):
        number = f"{float(value):g}"
    else:
        number = str(value)
    if "\\" in name or len(name) == 1 or "_" in name:
        return f"${name} = {number.replace(',', '{,}')}$"
    return f"{name} = {number}"
