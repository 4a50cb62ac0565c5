"""Which diagrams vanish under common assumptions on the landscape (SPEC §7).

* ``at_minimum`` (G = 0): a singleton part whose node has degree 1 — for the
  test loss this includes the root (∇l = G); for other observables the root's
  derivative is not G, so pass ``root_is_loss=False``.
* ``noiseless`` (l_x = l): any part with two or more nodes (a joint cumulant of
  constants).
* ``gaussian``: any part with three or more nodes.
* ``quadratic``: any node of degree ≥ 3.
* ``constant_hessian``: any part with two or more nodes containing a degree-2 node.
* ``single_epoch`` (E = B = 1): a part containing an ancestor–descendant pair
  cannot embed (L = 0).

>>> from diagrams import parse
>>> vanishes(parse("[a:b][ab]"), noiseless=True), vanishes(parse("[a:b][ab]"), gaussian=True)
(True, False)
>>> vanishes(parse("[a:ab][b]"), single_epoch=True)
True
"""

from __future__ import annotations

from .diagram import Diagram

__all__ = ["ASSUMPTIONS", "vanishes"]

ASSUMPTIONS = ("at_minimum", "noiseless", "gaussian", "quadratic", "constant_hessian", "single_epoch")


def vanishes(
    diagram: Diagram,
    *,
    at_minimum: bool = False,
    noiseless: bool = False,
    gaussian: bool = False,
    quadratic: bool = False,
    constant_hessian: bool = False,
    single_epoch: bool = False,
    root_is_loss: bool = True,
) -> bool:
    """True when ``diagram``'s term is zero under every assumption flagged True."""
    degrees, parts = diagram.degrees, diagram.parts
    for part in parts:
        if at_minimum and len(part) == 1 and degrees[part[0]] == 1 and (root_is_loss or part[0] != diagram.root):
            return True
        if noiseless and len(part) >= 2:
            return True
        if gaussian and len(part) >= 3:
            return True
        if constant_hessian and len(part) >= 2 and any(degrees[v] == 2 for v in part):
            return True
        if single_epoch and _has_ancestor_pair(diagram, part):
            return True
    return quadratic and any(k >= 3 for k in degrees)


def _has_ancestor_pair(diagram: Diagram, part: tuple[int, ...]) -> bool:
    members = set(part)
    for v in part:
        u = v
        while u != diagram.root:
            u = diagram.parent[u]
            if u in members:
                return True
    return False
