"""Limits on a config's YAML before anything is built from it: size, nesting, aliases, duplicates.

`yaml.safe_load` shares an aliased node, but everything after it (line tracking, validation,
`--set`) walks the expanded tree, so nine nested aliases of nine items ("billion laughs")
would become 387 million values and gigabytes of memory. `GuardedLoader` checks PyYAML's own
node graph, where each distinct node is visited once, and refuses such a config before
anything expands it. It also refuses a key given twice in one mapping, which YAML would
otherwise settle silently by keeping the last.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlcc_cli.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000
"""Largest config file read: an experiment file is a few KB; data belongs in data.source."""

MAX_EXPANDED_VALUES = 100_000
"""Most values (keys, items, scalars) a config may hold once every alias is expanded."""

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists; PyYAML's composer recurses once per level."""


class GuardedLoader(yaml.SafeLoader):
    """A SafeLoader that refuses alias bombs, self-referencing aliases, deep nesting and
    duplicate keys, naming `source` (a file, or `--set KEY`) and the line of the problem.

    Parameters
    ----------
    text : the YAML text.
    source : what the text is called in messages.
    with_lines : prefix messages with `source:line` (a file) rather than `source` alone.
    """

    def __init__(self, text: str, source: str, with_lines: bool = True) -> None:
        super().__init__(text)
        self.source = source
        self.with_lines = with_lines
        self.alias_lines: list[int] = []
        self._depth = 0

    def where(self, line: int) -> str:
        """`source:line` for a file, `source` for a command-line value."""
        return f"{self.source}:{line}" if self.with_lines else self.source

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        """Compose one node, remembering alias lines and refusing nesting beyond MAX_DEPTH."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.alias_lines.append(event.start_mark.line + 1)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConfigError(
                    f"{self.where(event.start_mark.line + 1)}: the YAML nests more than "
                    f"{MAX_DEPTH} mappings or lists deep; a config needs a handful of levels, "
                    "so check the brackets and indentation."
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_whole_number(self, node: yaml.ScalarNode) -> int:
        """PyYAML's integer, or a ConfigError where Python refuses to read one that long
        (more than 4,300 digits, a guard against slow conversions) rather than a ValueError."""
        try:
            return int(super().construct_yaml_int(node))
        except ValueError:
            digits = sum(character.isdigit() for character in str(node.value))
            raise ConfigError(
                f"{self.where(node.start_mark.line + 1)}: a whole number of {digits:,} digits "
                "is longer than Python reads (4,300); no setting needs one, so write a "
                "shorter number (e.g. 1e300 for a huge one)."
            ) from None

    def checked_node(self) -> yaml.Node | None:
        """The document's node tree, after every check has passed (None for an empty text)."""
        node = self.get_single_node()
        if node is not None:
            _Walk(self).size(node, ())
        return node


class _Walk:
    """Counts expanded values once per distinct node and checks each mapping's keys."""

    def __init__(self, loader: GuardedLoader) -> None:
        self.loader = loader
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def size(self, node: yaml.Node, path: tuple[str, ...]) -> int:
        """How many values `node` holds when every alias below it is expanded."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in self.open:
            raise ConfigError(
                f"{self.loader.where(self._first_alias_line())}: an alias refers to the "
                "anchor it sits inside, so the config would be infinitely deep; write the "
                "values out instead of the alias."
            )
        self.open.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            self._refuse_duplicate_keys(node, path)
            for key_node, value_node in node.value:
                total += self.size(key_node, path)
                total += self.size(value_node, (*path, str(key_node.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                total += self.size(item, (*path, str(index)))
        self.open.discard(id(node))
        self.sizes[id(node)] = total
        if total > MAX_EXPANDED_VALUES and self.loader.alias_lines:
            raise ConfigError(
                f"{self.loader.where(self._first_alias_line())}: the YAML anchors and aliases "
                f"(&name / *name) expand to {total:,} values, more than the "
                f"{MAX_EXPANDED_VALUES:,} a config may hold (an alias bomb?); write the values "
                "out, or use fewer aliases."
            )
        return total

    def _first_alias_line(self) -> int:
        return self.loader.alias_lines[0] if self.loader.alias_lines else 1

    def _refuse_duplicate_keys(self, node: yaml.MappingNode, path: tuple[str, ...]) -> None:
        """ConfigError for the first key given twice in `node` (same tag and text)."""
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key is refused later by validation
            line = key_node.start_mark.line + 1
            key = (key_node.tag, key_node.value)
            if key not in seen:
                seen[key] = line
                continue
            first = seen[key]
            dotted = ".".join((*path, key_node.value))
            raise ConfigError(
                f"{self.loader.where(line)}: {dotted}: key '{key_node.value}' is given twice "
                f"in the same mapping (lines {first} and {line}); YAML would silently keep "
                "only the last, so delete one or merge them."
            )


GuardedLoader.add_constructor("tag:yaml.org,2002:int", GuardedLoader.construct_whole_number)
