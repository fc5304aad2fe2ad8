"""Read and write the YAML content files of ``knowledge/content/`` (one file per topic)."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.schema import normalize_entry

CONTENT_DIR = Path(__file__).parent / "content"


class ContentError(ValueError):
    """A content file cannot be read (bad YAML or a wrong shape)."""


def load_file(path: Path) -> list[dict]:
    """Entries of one content file, each with its ``topic`` filled from the file."""
    try:
        doc = yaml.safe_load(Path(path).read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: YAML không hợp lệ: {exc}") from exc
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
    """All entries of all ``*.yml`` files in ``directory``, in file order."""
    entries: list[dict] = []
    for path in sorted(Path(directory).glob("*.yml")):
        entries += load_file(path)
    return entries


def dump(entries: list[dict]) -> str:
    """YAML text for ``entries`` grouped by topic, readable by :func:`load_file` per topic."""
    return yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False, width=110)
