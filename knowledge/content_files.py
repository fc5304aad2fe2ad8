"""Read and write the YAML content files of ``knowledge/content/`` (one file per topic).

Every YAML text the project reads from a person (content files, ``kb add/edit/import``, ``/themmuc``) goes
through :func:`parse_yaml`: at most :data:`MAX_YAML_BYTES`, UTF-8, and no anchors or aliases (``&a`` /
``*a``), so a few hundred bytes cannot expand into gigabytes ("billion laughs").
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import yaml

from knowledge.schema import normalize_entry

CONTENT_DIR = Path(__file__).parent / "content"


MAX_YAML_BYTES = 2 * 1024 * 1024  # a content file is ~100 KB; an import of every entry stays far below


class ContentError(ValueError):
    """A content file cannot be read (bad YAML, too large, not UTF-8, or a wrong shape)."""


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (the content never needs them)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ContentError(
                f"dòng {mark.line + 1}: không cho phép neo/bí danh YAML (&, *); hãy viết đầy đủ nội dung"
            )
        return super().compose_node(parent, index)


def read_text(path: str | Path) -> str:
    """UTF-8 text of ``path`` (``-``: stdin), refused when larger than :data:`MAX_YAML_BYTES` or not a file."""
    name = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_YAML_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                if not stat.S_ISREG(Path(path).stat().st_mode):
                    raise ContentError(f"{name} không phải tệp thường (thiết bị, thư mục hay ống): không đọc.")
                data = fh.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise ContentError(f"Không đọc được {name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_YAML_BYTES:
        raise ContentError(f"{name} lớn quá {MAX_YAML_BYTES // (1024 * 1024)} MB: không đọc.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{name}: không phải văn bản UTF-8 (byte {exc.start}); hãy lưu lại tệp dạng UTF-8.") from exc


def parse_yaml(text: str, name: str = "văn bản"):
    """The YAML document in ``text``, refused when too large, with anchors/aliases, or not valid YAML."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise ContentError(f"{name} lớn quá {MAX_YAML_BYTES // (1024 * 1024)} MB: không đọc.")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except ContentError as exc:
        raise ContentError(f"{name}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{name}: YAML không hợp lệ: {exc}") from exc


def load_file(path: Path) -> list[dict]:
    """Entries of one content file, each with its ``topic`` filled from the file."""
    doc = parse_yaml(read_text(path), str(path))
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise ContentError(f"{path}: cần dạng 'topic: ...' và 'entries: [...]'")
    topic = str(doc.get("topic") or Path(path).stem)
    entries = []
    for entry in doc["entries"]:
        if isinstance(entry, dict):
            entry = normalize_entry(entry)
            entry.setdefault("topic", topic)
        entries.append(entry)
    return entries


def load_dir(directory: Path = CONTENT_DIR) -> list[dict]:
    """All entries of all ``*.yml`` files in ``directory``, in file order; a directory without any is an error."""
    if not Path(directory).is_dir():
        raise ContentError(f"Không có thư mục nội dung {directory}.")
    files = sorted(Path(directory).glob("*.yml"))
    if not files:
        raise ContentError(f"Không tìm thấy tệp nội dung (*.yml) nào trong {directory}.")
    entries: list[dict] = []
    for path in files:
        entries += load_file(path)
    return entries


def dump(entries: list[dict]) -> str:
    """YAML text for ``entries`` grouped by topic, readable by :func:`load_file` per topic."""
    return yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False, width=110)
