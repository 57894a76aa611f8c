"""YAML to plain Python values while keeping the line of every key, so ruleset errors can name it.

PyYAML's node tree carries ``start_mark``; we walk it instead of ``safe_load`` and record, for each
key path (``("water", "quantity_min_l", "value")``), the 1-based line it was written on. Duplicate
keys, which ``safe_load`` would silently collapse, are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int | None:
        """Line of ``path`` or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


class YamlSyntaxError(ValueError):
    def __init__(self, line: int | None, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load_located(text: str) -> Located:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(mark.line + 1 if mark else None, (exc.problem or str(exc)).strip()) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - other reader errors
        raise YamlSyntaxError(None, str(exc)) from exc
    out = Located(None)
    if node is None:
        out.value = None
        return out
    out.lines[()] = node.start_mark.line + 1
    try:
        out.value = _walk(loader, node, (), out)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(mark.line + 1 if mark else None, (exc.problem or str(exc)).strip()) from exc
    finally:
        loader.dispose()
    return out


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, out: Located) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str) else key
            kpath = (*path, key)
            if key in result:
                out.duplicates.append((kpath, key_node.start_mark.line + 1))
            out.lines[kpath] = key_node.start_mark.line + 1
            result[key] = _walk(loader, value_node, kpath, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            out.lines[(*path, i)] = item.start_mark.line + 1
            items.append(_walk(loader, item, (*path, i), out))
        return items
    return loader.construct_object(node, deep=True)
