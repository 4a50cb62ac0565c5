"""Which diagrams vanish under common assumptions on the landscape (SPEC §7).

>>> from diagrams import parse
>>> vanishes(parse("[a:b][ab]"), noiseless=True), vanishes(parse("[a:b][ab]"), gaussian=True)
(True, False)
>>> assumption_flags(["gaussian", "at_minimum"])
{'gaussian': True, 'at_minimum': True}
"""

from __future__ import annotations

from collections.abc import Iterable

from .diagram import Diagram
from .observables import LOSS, as_observable

__all__ = ["ASSUMPTIONS", "vanishes", "assumption_flags"]

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
    observable="loss",
) -> bool:
    """True when a rule of SPEC §7 makes the diagram's term zero under the given assumptions.

    * ``at_minimum`` (G = 0): a part that is a single node of degree 1;
    * ``noiseless`` (l_x = l): a part with two or more nodes;
    * ``gaussian`` (jointly Gaussian derivatives): a part with three or more nodes;
    * ``quadratic``: a node of degree three or more;
    * ``constant_hessian`` (∇²l_x the same for every x): a part with two or
      more nodes, one of degree 2;
    * ``single_epoch`` (E = B = 1): L(D) = 0.  The nodes of a part share one
      step, so a part that holds a node and its ancestor (SPEC §7) cannot
      embed; nor can parts that would have to precede each other in a cycle,
      as in ``[a:cd][ab:c][bd]``.  Other diagrams embed once T ≥ their order.

    The first five speak about ∇^k l_x.  A root alone in its part stands for
    ∇^k s, so it is subject to them only for the test loss (``observable``);
    a root tied to other nodes is ∇^k l_x of a training sample and always is.

    >>> from diagrams import parse
    >>> vanishes(parse("[a][a]"), at_minimum=True), vanishes(parse("[a:b][ab]"), at_minimum=True)
    (True, False)
    >>> [vanishes(parse(t), single_epoch=True) for t in ("[a:ab][b]", "[a:cd][ab:c][bd]", "[a:b][ab]", "[a:a]")]
    [True, True, False, False]
    >>> from diagrams.core.observables import coordinate
    >>> vanishes(parse("[a:b][ab]"), at_minimum=True, observable=coordinate(0))
    False
    """
    root = diagram.root
    loss_root = as_observable(observable) == LOSS or diagram.is_root_tied
    degrees = diagram.degrees

    def is_loss_node(v: int) -> bool:
        return v != root or loss_root

    for part in diagram.parts:
        size = len(part)
        if at_minimum and size == 1 and degrees[part[0]] == 1 and is_loss_node(part[0]):
            return True
        if noiseless and size >= 2:
            return True
        if gaussian and size >= 3:
            return True
        if constant_hessian and size >= 2 and any(degrees[v] == 2 for v in part):
            return True
    if quadratic and any(degrees[v] >= 3 and is_loss_node(v) for v in range(diagram.order + 1)):
        return True
    return single_epoch and not _parts_can_be_time_ordered(diagram)


def _parts_can_be_time_ordered(diagram: Diagram) -> bool:
    """Whether the parts admit times with every child's part strictly before its parent's part.

    With E = B = 1 the nodes of a part share one step, so this is exactly
    when some T admits an embedding (T ≥ the number of parts suffices).  The
    root is at time T after everything and is left out.
    """
    root, part_of = diagram.root, diagram.part_of
    later: dict[int, set[int]] = {}  # part -> parts that must come strictly later
    for child, parent in diagram.edges:
        if parent != root:
            later.setdefault(part_of[child], set()).add(part_of[parent])
    state: dict[int, int] = {}  # 1 = on the DFS stack, 2 = done

    def acyclic_from(part: int) -> bool:
        state[part] = 1
        for nxt in later.get(part, ()):
            if state.get(nxt) == 1 or (nxt not in state and not acyclic_from(nxt)):
                return False
        state[part] = 2
        return True

    return all(part in state or acyclic_from(part) for part in list(later))


def assumption_flags(assume: Iterable[str]) -> dict[str, bool]:
    """Validate assumption names; ``{"name": True, ...}``.

    >>> assumption_flags(["gaussian"])
    {'gaussian': True}
    """
    if isinstance(assume, str):
        assume = [assume]
    flags = {}
    for name in assume:
        if name not in ASSUMPTIONS:
            raise ValueError(f"unknown assumption {name!r}; expected one of {', '.join(ASSUMPTIONS)}")
        flags[name] = True
    return flags
