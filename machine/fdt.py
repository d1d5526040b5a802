"""A small flattened-device-tree (DTB) writer and reader.

The format is the Devicetree Specification's "Flattened Devicetree (DTB)
Format" (chapter 5): a 40-byte header, a memory reservation block, a
structure block of FDT_BEGIN_NODE/FDT_PROP/FDT_END_NODE tokens and a
strings block holding each property name once. Version 17, as dtc and QEMU
write it.

Property values are given as Python values and encoded the usual way: `str`
is a NUL-terminated string, a list of `str` a string list, `int` one 32-bit
cell, a list/tuple of `int` a list of cells, `bytes` raw, `None` an empty
(boolean) property. `cells64(x)` makes the two cells of a 64-bit number.
"""

from __future__ import annotations

import struct
from typing import Dict, List, Sequence, Tuple, Union

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9
HEADER_SIZE = 40
VERSION = 17
LAST_COMP_VERSION = 16

PropValue = Union[None, str, int, bytes, Sequence[int], Sequence[str]]


class FdtError(ValueError):
    """A blob that is not a well-formed flattened device tree."""


def cells64(value: int) -> Tuple[int, int]:
    """The (high, low) 32-bit cells of a 64-bit number."""
    return (value >> 32) & 0xFFFFFFFF, value & 0xFFFFFFFF


def encode_value(value: PropValue) -> bytes:
    """The raw bytes of a property value (see the module docstring)."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode() + b"\0"
    if isinstance(value, int):
        return struct.pack(">I", value & 0xFFFFFFFF)
    items = list(value)
    if items and all(isinstance(v, str) for v in items):
        return b"".join(v.encode() + b"\0" for v in items)
    return b"".join(struct.pack(">I", v & 0xFFFFFFFF) for v in items)


class Node:
    """A device-tree node: a name ("cpu@0"), properties in order, children."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.props: Dict[str, bytes] = {}
        self.children: List[Node] = []

    def set(self, name: str, value: PropValue = None) -> Node:
        """Set a property (encoded at once); returns the node for chaining."""
        self.props[name] = encode_value(value)
        return self

    def add(self, name: str) -> Node:
        """Add and return a new child node."""
        child = Node(name)
        self.children.append(child)
        return child

    def child(self, name: str) -> Node | None:
        """The child with this exact name, or None."""
        for c in self.children:
            if c.name == name:
                return c
        return None

    def find(self, path: str) -> Node | None:
        """The node at a path like "/soc/serial@10000000", or None."""
        node: Node | None = self
        for part in path.strip("/").split("/"):
            if not part or node is None:
                continue
            node = node.child(part)
        return node

    def walk(self, parent: str | None = None) -> List[Tuple[str, Node]]:
        """(path, node) for this node (the root when `parent` is None) and every descendant."""
        path = "/" if parent is None else parent.rstrip("/") + "/" + self.name
        out = [(path, self)]
        for c in self.children:
            out += c.walk(path)
        return out

    def prop_u32(self, name: str) -> int | None:
        """A one-cell property as an int, or None when absent."""
        raw = self.props.get(name)
        return None if raw is None or len(raw) < 4 else struct.unpack(">I", raw[:4])[0]

    def prop_cells(self, name: str) -> List[int]:
        """A property as a list of 32-bit cells (empty when absent)."""
        raw = self.props.get(name, b"")
        return list(struct.unpack(f">{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))

    def prop_strings(self, name: str) -> List[str]:
        """A string or string-list property (empty when absent)."""
        raw = self.props.get(name, b"")
        return [s.decode(errors="replace") for s in raw.split(b"\0")[:-1]]


def _align4(data: bytearray) -> None:
    data += b"\0" * (-len(data) % 4)


def to_dtb(root: Node, *, boot_cpuid: int = 0,
           reserved: Sequence[Tuple[int, int]] = ()) -> bytes:
    """Serialise a tree to a version-17 DTB blob."""
    strings = bytearray()
    offsets: Dict[str, int] = {}
    struct_blk = bytearray()

    def name_off(name: str) -> int:
        if name not in offsets:
            offsets[name] = len(strings)
            strings.extend(name.encode() + b"\0")
        return offsets[name]

    def emit(node: Node) -> None:
        struct_blk.extend(struct.pack(">I", FDT_BEGIN_NODE) + node.name.encode() + b"\0")
        _align4(struct_blk)
        for pname, raw in node.props.items():
            struct_blk.extend(struct.pack(">III", FDT_PROP, len(raw), name_off(pname)) + raw)
            _align4(struct_blk)
        for c in node.children:
            emit(c)
        struct_blk.extend(struct.pack(">I", FDT_END_NODE))

    emit(root)
    struct_blk.extend(struct.pack(">I", FDT_END))
    rsv = b"".join(struct.pack(">QQ", a, s) for a, s in reserved) + bytes(16)
    off_rsv = HEADER_SIZE
    off_struct = off_rsv + len(rsv)
    off_strings = off_struct + len(struct_blk)
    total = off_strings + len(strings)
    header = struct.pack(">10I", FDT_MAGIC, total, off_struct, off_strings, off_rsv,
                         VERSION, LAST_COMP_VERSION, boot_cpuid, len(strings), len(struct_blk))
    return header + rsv + bytes(struct_blk) + bytes(strings)


def total_size(blob: bytes) -> int:
    """The header's totalsize of a DTB blob; FdtError when it is not one."""
    if len(blob) < HEADER_SIZE or struct.unpack(">I", blob[:4])[0] != FDT_MAGIC:
        raise FdtError("not a flattened device tree (bad magic)")
    size = struct.unpack(">I", blob[4:8])[0]
    if size < HEADER_SIZE or size > len(blob):
        raise FdtError("flattened device tree header gives a bad total size")
    return size


def _cstr(blob: bytes, off: int, limit: int) -> Tuple[str, int]:
    end = blob.find(b"\0", off, limit)
    if end < 0:
        raise FdtError("unterminated name in device tree")
    return blob[off:end].decode(errors="replace"), end + 1


def from_dtb(blob: bytes) -> Node:
    """Parse a DTB blob into a tree; FdtError for anything malformed."""
    total = total_size(blob)
    (_, _, off_struct, off_strings, _, version, _, _, size_strings, size_struct) = struct.unpack(
        ">10I", blob[:HEADER_SIZE])
    if version < 16 or off_struct + size_struct > total or off_strings + size_strings > total:
        raise FdtError("flattened device tree blocks lie outside the blob")
    end = off_struct + size_struct
    stack: List[Node] = []
    root: Node | None = None
    pos = off_struct
    while pos + 4 <= end:
        token = struct.unpack(">I", blob[pos:pos + 4])[0]
        pos += 4
        if token == FDT_BEGIN_NODE:
            name, pos = _cstr(blob, pos, end)
            pos += -pos % 4
            node = Node(name)
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            else:
                raise FdtError("device tree has two root nodes")
            stack.append(node)
        elif token == FDT_PROP:
            if not stack or pos + 8 > end:
                raise FdtError("property outside a node in device tree")
            length, nameoff = struct.unpack(">II", blob[pos:pos + 8])
            pos += 8
            if pos + length > end:
                raise FdtError("property runs past the structure block")
            pname, _ = _cstr(blob, off_strings + nameoff, off_strings + size_strings)
            stack[-1].props[pname] = bytes(blob[pos:pos + length])
            pos += length + (-length % 4)
        elif token == FDT_END_NODE:
            if not stack:
                raise FdtError("unbalanced FDT_END_NODE in device tree")
            stack.pop()
        elif token == FDT_END:
            break
        elif token != FDT_NOP:
            raise FdtError(f"unknown device tree token {token:#x}")
    if root is None or stack:
        raise FdtError("device tree structure block is incomplete")
    return root
