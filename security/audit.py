"""``make audit``: the installed packages of a virtual environment against the vendored advisory list.

Reads the distributions installed in the Python that runs it and the advisories in ``security/advisories.json``;
prints every package with a known advisory, the Python line when it no longer receives security fixes, and what
was checked. ``make audit`` runs it twice: ``.venv/bin/python security/audit.py --env rasa`` and
``.venv-front/bin/python security/audit.py --env front``.

A finding listed for that environment in ``security/allowed.json`` (with its reason: only the Rasa environment,
loopback-only, may have such entries) is printed as allowed and does not fail. Exit code 1 when something is
affected and not allowed, 2 when it checked nothing (no packages, no advisories, or no advisory matched any
installed package name): an audit that looked at nothing must not pass.
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
ALLOWED = Path(__file__).with_name("allowed.json")
ENVS = ("rasa", "front")


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


def allowance(finding: tuple, allowed: list[dict], env: str) -> dict | None:
    """The entry of ``allowed`` that lets ``finding`` pass in ``env``, if any."""
    package, _, adv = finding
    ids = {adv["id"], *adv.get("aliases", [])}
    for entry in allowed:
        if entry["env"] == env and entry["package"] == package and (entry["ids"] == "*" or ids & set(entry["ids"])):
            return entry
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra phiên bản gói so với danh sách lỗ hổng đi kèm")
    parser.add_argument("--advisories", default=str(ADVISORIES))
    parser.add_argument("--allowed", default=str(ALLOWED), help="các lỗ hổng được phép theo môi trường, có lý do")
    parser.add_argument("--env", choices=ENVS, help="môi trường đang kiểm tra (rasa: .venv, front: .venv-front)")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.advisories).read_text("utf-8"))
    allowed = json.loads(Path(args.allowed).read_text("utf-8")).get("allowed", []) if args.env else []
    advisories = data.get("advisories") or []
    packages = installed()
    python = ".".join(map(str, sys.version_info[:3]))
    findings, checked = audit(packages, advisories, python, dt.date.today())
    names = {a["package"] for a in advisories} - {"python"}
    print(
        f"Môi trường {args.env or ''}: {sys.prefix} (Python {python}), {len(packages)} gói; danh sách lỗ hổng {args.advisories} "
        f"cập nhật {data.get('updated', '?')}: {len(advisories)} mục cho {len(names)} gói."
    )
    failing, used = [], set()
    for finding in findings:
        package, version, adv = finding
        ids = ", ".join([adv["id"], *adv.get("aliases", [])])
        fix = f"sửa ở {adv['fixed']}" if "fixed" in adv else f"hết hỗ trợ bảo mật từ {adv['end_of_security']}"
        entry = allowance(finding, allowed, args.env)
        if entry is None:
            failing.append(finding)
            print(f"✗ {package} {version}: {ids} — {adv['summary']} ({fix}; {adv['url']})")
        else:
            reason = "" if id(entry) in used else f": {entry['reason']}"
            used.add(id(entry))
            print(f"⚠ {package} {version}: {ids} ({fix}) — được phép{reason}")
    for entry in allowed:
        if entry["env"] == args.env and id(entry) not in used:
            print(f"ℹ Mục được phép không còn khớp gì, nên xoá khỏi {args.allowed}: {entry['package']} {entry['ids']}")
    if not packages or not advisories or checked == 0:
        print("✗ Không kiểm tra được gì (không có gói hoặc không mục nào khớp): kết quả KHÔNG đạt.")
        return 2
    print(
        f"Đã kiểm tra {checked} cặp gói–lỗ hổng: {len(findings)} vấn đề"
        + (
            f", {len(findings) - len(failing)} được phép (chỉ nghe trên 127.0.0.1)"
            if len(failing) < len(findings)
            else ""
        )
        + (f"; {len(failing)} KHÔNG được phép." if failing else ".")
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
