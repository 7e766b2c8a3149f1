"""YAML from users, bounded.

Journey maps, weight profiles and playbook catalogues are YAML a user wrote. YAML can describe a
document far larger than its file (aliases of aliases) or nest deeper than Python recurses, so
this loader counts while it composes, before anything is built, and refuses a document over a
limit with the line where it went over.
"""

from pathlib import Path

import yaml
from journeylens.notebooks.ingest.readers import check_utf8
from journeylens.notebooks.workspace.contract import IngestError

# YAML a user gives (a journey map, a weight profile, a playbook catalogue) is bounded before any
# Python object is built: the file, how many aliases it uses, how deep it nests and how many nodes
# it holds once every alias is expanded ("billion laughs" is nine aliases of nine aliases of ...).
MAX_YAML_BYTES = 1_048_576
MAX_YAML_ALIASES = 100
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 100_000
try:  # libyaml's event parser (six times faster on a 1 MiB file); composing stays in Python, bounded
    from yaml._yaml import CParser
    PARSER = (yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver)
except ImportError:  # PyYAML built without libyaml
    CParser, PARSER = None, (yaml.SafeLoader,)

class YAMLLimitError(yaml.MarkedYAMLError):
    """A YAML document over one of the limits; `expected` and `found` are the refusal's words."""

    def __init__(self, mark, expected: str, found: str):
        super().__init__(problem=found, problem_mark=mark)
        self.expected, self.found = expected, found

class BoundedLoader(*PARSER):
    """yaml.SafeLoader that counts while it composes nodes, before anything is constructed: aliases,
    nesting depth (checked before descending, so a deep document never recurses far) and the
    expanded size and height of every node (an alias counts as the whole node it names). An alias
    to a node still being composed (a recursive structure) is refused too."""

    def __init__(self, stream):
        if CParser is None:
            yaml.SafeLoader.__init__(self, stream)
        else:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
        self.aliases, self.depth, self.expanded, self.total = 0, 0, {}, 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise YAMLLimitError(event.start_mark, f"YAML with at most {MAX_YAML_ALIASES} aliases (*name)",
                                     f"more than {MAX_YAML_ALIASES}")
            named = self.anchors.get(event.anchor)
            if named is not None and id(named) not in self.expanded:
                raise YAMLLimitError(event.start_mark, "YAML without recursive aliases",
                                     f"*{event.anchor} inside the node &{event.anchor} names")
            self.add(named and self.expanded[id(named)][0], event.start_mark)
            return super().compose_node(parent, index)
        if self.depth >= MAX_YAML_DEPTH:
            raise YAMLLimitError(event.start_mark, f"YAML nested at most {MAX_YAML_DEPTH} levels deep",
                                 f"more than {MAX_YAML_DEPTH} levels")
        self.add(1, event.start_mark)
        self.depth += 1
        node = super().compose_node(parent, index)
        self.depth -= 1
        self.count(node)
        return node

    def add(self, nodes: int, mark) -> None:
        """Counts the nodes of the document as it will be once built (an alias adds its whole node)."""
        self.total += nodes or 0
        if self.total > MAX_YAML_NODES:
            raise YAMLLimitError(mark, f"YAML of at most {MAX_YAML_NODES:,} values with every alias expanded",
                                 f"more than {MAX_YAML_NODES:,}")

    def count(self, node) -> None:
        """Records the expanded size and height of a just-composed node; refuses one nested too deep."""
        children = node.value if isinstance(node, yaml.SequenceNode) else []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        sizes = [self.expanded[id(child)] for child in children]
        height = 1 + max((h for _, h in sizes), default=0)
        self.expanded[id(node)] = (1 + sum(s for s, _ in sizes), height)
        if height > MAX_YAML_DEPTH:
            raise YAMLLimitError(node.start_mark, f"YAML nested at most {MAX_YAML_DEPTH} levels deep with every "
                                 "alias expanded", f"{height} levels")


def yaml_document(text: str, file_name: str) -> tuple:
    """(data, root node) of one YAML document read with BoundedLoader; None, None for an empty one. Every
    problem is an IngestError naming the file and, where YAML knows it, the line."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_YAML_BYTES:
        raise IngestError(file_name, None, None, f"a YAML file of at most {MAX_YAML_BYTES:,} bytes", f"{size:,} bytes")
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node), node) if node is not None else (None, None)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        if isinstance(getattr(err, "position", None), int):  # a character YAML refuses to read
            line = text.count("\n", 0, err.position) + 1
        row = f"{line} (line)" if line else None
        if isinstance(err, YAMLLimitError):
            raise IngestError(file_name, row, None, err.expected, err.found) from None
        if "maximum nesting depth" in str(err):  # libyaml's own, lower in flow collections than ours
            raise IngestError(file_name, row, None, f"YAML nested at most {MAX_YAML_DEPTH} levels deep",
                              f"more than {MAX_YAML_DEPTH} levels") from None
        found = str(getattr(err, "problem", None) or err).splitlines()[0].removeprefix("found ")
        raise IngestError(file_name, row, None, "valid YAML", found) from None
    finally:
        loader.dispose()


def load_yaml(text: str, file_name: str):
    """The data of one bounded YAML document (see yaml_document)."""
    return yaml_document(text, file_name)[0]


def read_yaml_text(path, file_name: str) -> str:
    """A user's YAML file as text: refused when it is larger than MAX_YAML_BYTES (before reading it), not
    UTF-8, or not a file."""
    path = Path(path)
    if path.is_dir():
        raise IngestError(file_name, None, None, "a YAML file", "a directory")
    if not path.is_file():
        raise IngestError(file_name, None, None, "a readable file", "no such file")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise IngestError(file_name, None, None, f"a YAML file of at most {MAX_YAML_BYTES:,} bytes", f"{size:,} bytes")
    check_utf8(path, file_name)
    return path.read_text(encoding="utf-8-sig")
