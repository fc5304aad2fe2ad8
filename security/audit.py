"""``make audit``: the installed packages of a virtual environment against the vendored advisory list.

Reads the distributions installed in the Python that runs it (``.venv/bin/python security/audit.py``) and the
advisories in ``security/advisories.json``; prints every package with a known advisory, the Python line when it
no longer receives security fixes, and what was checked. Exit code 1 when something is affected, 2 when it
checked nothing (no packages, no advisories, or no advisory matched any installed package name): an audit
that looked at nothing must not pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).with_name("advisories.json")


def installed() -> dict[str, str]:
    """Name (lower case, ``-`` for ``_``) → version of every distribution of this interpreter."""
    out = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name:
            out[name] = dist.version
    return out


def affected(version: str, advisory: dict) -> bool:
    try:
        v = Version(version)
        if advisory.get("introduced") and v < Version(advisory["introduced"]):
            return False
        return v < Version(advisory["fixed"])
    except InvalidVersion:
        return True  # cannot tell: report rather than pass silently


def audit(packages: dict[str, str], advisories: list[dict], python: str, today: dt.date) -> tuple[list, int]:
    """Findings (package, version, advisory) and the number of (package, advisory) pairs checked."""
    findings, checked = [], 0
    line = ".".join(python.split(".")[:2])
    for adv in advisories:
        if adv["package"] == "python":
            if adv["line"] == line:
                checked += 1
                if today > dt.date.fromisoformat(adv["end_of_security"]):
                    findings.append(("python", python, adv))
            continue
        version = packages.get(adv["package"])
        if version is None:
            continue
        checked += 1
        if affected(version, adv):
            findings.append((adv["package"], version, adv))
    return findings, checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra phiên bản gói so với danh sách lỗ hổng đi kèm")
    parser.add_argument("--advisories", default=str(ADVISORIES))
    args = parser.parse_args(argv)
    data = json.loads(Path(args.advisories).read_text("utf-8"))
    advisories = data.get("advisories") or []
    packages = installed()
    python = ".".join(map(str, sys.version_info[:3]))
    findings, checked = audit(packages, advisories, python, dt.date.today())
    names = {a["package"] for a in advisories} - {"python"}
    print(f"Môi trường: {sys.prefix} (Python {python}), {len(packages)} gói; danh sách lỗ hổng {args.advisories} "
          f"cập nhật {data.get('updated', '?')}: {len(advisories)} mục cho {len(names)} gói.")
    for package, version, adv in findings:
        ids = ", ".join([adv["id"], *adv.get("aliases", [])])
        fix = f"sửa ở {adv['fixed']}" if "fixed" in adv else f"hết hỗ trợ bảo mật từ {adv['end_of_security']}"
        print(f"✗ {package} {version}: {ids} — {adv['summary']} ({fix}; {adv['url']})")
    if not packages or not advisories or checked == 0:
        print("✗ Không kiểm tra được gì (không có gói hoặc không mục nào khớp): kết quả KHÔNG đạt.")
        return 2
    print(f"Đã kiểm tra {checked} cặp gói–lỗ hổng: {len(findings)} vấn đề.")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
