"""A small layered drawing of a directed acyclic graph as SVG, without Graphviz.

Nodes come in an order where every edge points forward (arguments, then
operations as they run, then the output). Each node sits in the layer one
below the deepest node it depends on; layers are stacked top to bottom and
centred; edges are straight arrows labelled with the name they carry. Text is
monospace, so box widths follow from character counts.
"""

from typing import Dict, List, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

CHAR_WIDTH = 7.2  # monospace 12px
LINE_HEIGHT = 16
PADDING = 10
LAYER_GAP = 56
NODE_GAP = 28
MARGIN = 24
STYLES = {
    "argument": 'rx="18" fill="#e8f1ff" stroke="#3465a4"',
    "operation": 'rx="6" fill="#ffffff" stroke="#555555"',
    "output": 'rx="6" fill="#eaf7e4" stroke="#4e9a06" stroke-width="2.5"',
}

NodeSpec = Tuple[str, List[str], str]  # key, text lines, kind


def draw(nodes: Sequence[NodeSpec], edges: Sequence[Tuple[str, str, str]], title: str = "") -> str:
    """The SVG document of the graph."""
    boxes = _layout(nodes, edges)
    width = max((x + w for x, _, w, _ in boxes.values()), default=0) + MARGIN
    height = max((y + h for _, y, _, h in boxes.values()), default=0) + MARGIN
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="12">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555555"/></marker></defs>',
    ]
    parts += [_edge(boxes[a], boxes[b], name) for a, b, name in edges]
    parts += [_node(key, lines, kind, boxes[key]) for key, lines, kind in nodes]
    return "\n".join([*parts, "</svg>"]) + "\n"


def _layout(nodes: Sequence[NodeSpec], edges: Sequence[Tuple[str, str, str]]) -> Dict[str, Tuple[float, ...]]:
    """``key -> (x, y, width, height)``."""
    depth: Dict[str, int] = {key: 0 for key, _, _ in nodes}
    order = {key: i for i, (key, _, _) in enumerate(nodes)}
    for a, b, _ in sorted(edges, key=lambda e: order[e[1]]):  # edges point forward: one pass in node order
        depth[b] = max(depth[b], depth[a] + 1)
    sizes = {key: (_width(lines), len(lines) * LINE_HEIGHT + 2 * PADDING) for key, lines, _ in nodes}
    layers: List[List[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for key, _, _ in nodes:
        layers[depth[key]].append(key)
    widest = max((_layer_width(layer, sizes) for layer in layers), default=0)
    boxes = {}
    y = MARGIN
    for layer in layers:
        x = MARGIN + (widest - _layer_width(layer, sizes)) / 2
        for key in layer:
            w, h = sizes[key]
            boxes[key] = (x, y, w, h)
            x += w + NODE_GAP
        y += max(sizes[key][1] for key in layer) + LAYER_GAP
    return boxes


def _width(lines: List[str]) -> float:
    return max(len(line) for line in lines) * CHAR_WIDTH + 2 * PADDING


def _layer_width(layer: List[str], sizes: Dict[str, Tuple[float, float]]) -> float:
    return sum(sizes[key][0] for key in layer) + NODE_GAP * (len(layer) - 1)


def _node(key: str, lines: List[str], kind: str, box: Tuple[float, ...]) -> str:
    x, y, w, h = box
    spans = "".join(
        f'<tspan x="{x + w / 2:.1f}" dy="{LINE_HEIGHT if i else 0}"'
        f"{' font-weight=' + quoteattr('bold') if i == 0 else ''}>{escape(line)}</tspan>"
        for i, line in enumerate(lines)
    )
    return (
        f"<g id={quoteattr(key)} class={quoteattr(kind)}>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {STYLES[kind]}/>'
        f'<text x="{x + w / 2:.1f}" y="{y + PADDING + 12:.1f}" text-anchor="middle">{spans}</text></g>'
    )


def _edge(start: Tuple[float, ...], end: Tuple[float, ...], name: str) -> str:
    x1, y1 = start[0] + start[2] / 2, start[1] + start[3]
    x2, y2 = end[0] + end[2] / 2, end[1]
    return (
        f'<g class="edge"><line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#555555" '
        f'marker-end="url(#arrow)"/><text x="{(x1 + x2) / 2 + 4:.1f}" y="{(y1 + y2) / 2:.1f}" fill="#777777" '
        f'font-size="11">{escape(name)}</text></g>'
    )
