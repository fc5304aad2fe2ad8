"""``dvcbot kb …``: staff commands to read and edit the knowledge base without a developer.

Edits go through :class:`knowledge.store.KnowledgeBase`: validated, revisioned (who, when, why),
refused on conflict. Entries are exchanged as YAML; an exported entry carries ``_revision``, the
revision it was read at, so a save after someone else's is refused instead of overwriting it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import yaml

from knowledge import coverage, edits
from knowledge import search as search_index
from knowledge.backup import check_backup, copy_db
from knowledge.backup_guard import check_backup_target, check_restore_source
from knowledge.clock import today as vn_today
from knowledge.content_files import CONTENT_DIR, ContentError, load_dir, parse_yaml, read_text
from knowledge.schema import InvalidEntry, check_entries
from knowledge.search import search
from knowledge.store import Conflict, NotFound, default_path, open_kb

EPILOG = """Sửa một mức phí trong ba lệnh:
  dvcbot kb export fee_thuong_tru_tt75 > phi.yml
  (sửa phi.yml: số tiền, source, verified_on)
  dvcbot kb edit phi.yml --by "Tên cán bộ" --why "Cập nhật theo thông tư mới"
"""


def _kb():
    return open_kb()


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _read_entries(path: str) -> list[dict]:
    doc = parse_yaml(read_text(path), "stdin" if path == "-" else path)
    if isinstance(doc, dict) and "entries" in doc:
        doc = doc["entries"]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list) or not doc or not all(isinstance(e, dict) for e in doc):
        raise ContentError(f"{path}: cần một mục (bảng khóa: giá trị) hoặc danh sách mục")
    return doc


def _author(args) -> str:
    """``--by``, else ``$DVCBOT_STAFF_NAME``; never the operating-system user (:func:`knowledge.edits.staff_name`)."""
    return edits.staff_name(getattr(args, "by", None))


def cmd_build(args) -> int:
    counts = _kb().sync_content()
    print("Đã cập nhật cơ sở tri thức: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def cmd_validate(args) -> int:
    entries = load_dir(args.dir or CONTENT_DIR)
    problems = check_entries(entries)
    for eid, field, msg in problems:
        print(f"✗ {eid}: {field}: {msg}")
    if problems:
        print(f"{len(problems)} lỗi trong {len(entries)} mục.")
        return 1
    print(f"✓ {len(entries)} mục hợp lệ.")
    return 0


def cmd_list(args) -> int:
    for e in _kb().entries(args.kind, include_retired=args.all):
        flag = " [đã ẩn]" if e["_retired"] else (" [cần kiểm tra]" if e["status"] == "needs_review" else "")
        if args.topic and e.get("topic") != args.topic:
            continue
        print(f"{e['id']:<40} {e['kind']:<10} r{e['_revision']:<3} {e['title']}{flag}")
    return 0


def cmd_show(args) -> int:
    entry = _kb().get(args.id, include_retired=True)
    if entry is None:
        print(f"Không có mục '{args.id}'.", file=sys.stderr)
        return 1
    print(_dump(entry), end="")
    return 0


cmd_export_one = cmd_show


def cmd_search(args) -> int:
    kb = _kb()
    for hit in search(kb.db, " ".join(args.query), limit=args.limit):
        entry = kb.get(hit["id"])
        print(f"{hit['score']:6.2f}  {hit['id']:<40} {entry['title'] if entry else ''}")
    return 0


def cmd_add(args) -> int:
    kb = _kb()
    for entry in _read_entries(args.file):
        rev = kb.add(entry, _author(args), args.why or "thêm mới")
        print(f"✓ Đã thêm {entry['id']} (phiên bản {rev}).")
    return 0


def cmd_edit(args) -> int:
    kb = _kb()
    for entry in _read_entries(args.file):
        base = entry.get("_revision")
        if not isinstance(base, int):
            print(
                f"✗ {entry.get('id')}: thiếu _revision (hãy lấy bản mới bằng `dvcbot kb export {entry.get('id')}`).",
                file=sys.stderr,
            )
            return 1
        author = _author(args)
        problems = edits.warnings(kb, entry)
        lost = _lost_answers(kb, entry, base, author, args.why) if args.check else []
        for warning in problems:
            print(f"⚠ {entry['id']}: {warning}", file=sys.stderr)
        for question in lost:
            print(f"⚠ {entry['id']}: câu hỏi mất câu trả lời: {question}", file=sys.stderr)
        if (problems or lost) and not args.yes:
            print("Không có gì được ghi. Xem lại, hoặc thêm --yes nếu vẫn muốn lưu.", file=sys.stderr)
            return 1
        saved = edits.save(kb, entry, author, args.why, base_revision=base)
        if not saved.changed:
            print(f"= {entry['id']}: không có thay đổi, không thêm phiên bản (vẫn là phiên bản {saved.revision}).")
        else:
            print(f"✓ Đã lưu {entry['id']} (phiên bản {saved.revision}).")
    return 0


def _lost_answers(kb, entry: dict, base: int, author: str, why: str) -> list[str]:
    """Questions of the bank and of every entry that would lose their answer (needs the running Rasa for the
    NLU: ``$DVCBOT_RASA_URL``); an empty list when nothing is lost."""
    import asyncio

    from bot.staff.check import Checker
    from bot.staff.nlu import NluUnavailable, Parser

    try:
        report = asyncio.run(Checker(Parser()).check(kb, lambda d: d.edit(entry, author, why, base_revision=base)))
    except NluUnavailable as exc:
        raise ValueError(f"không kiểm tra được câu trả lời ({exc}); bỏ --check để lưu không kiểm tra") from exc
    return [c.question for c in report.lost]


def cmd_retire(args) -> int:
    rev = _kb().retire(args.id, _author(args), args.why)
    print(f"✓ Đã ẩn {args.id} (phiên bản {rev}); khôi phục bằng `dvcbot kb revert {args.id} {rev - 1}`.")
    return 0


def cmd_history(args) -> int:
    for r in _kb().history(args.id):
        state = " (ẩn)" if r["retired"] else ""
        print(f"r{r['revision']:<3} {r['created_at']}  {r['action']:<7} {r['author']}: {r['reason']}{state}")
    return 0


def cmd_revert(args) -> int:
    rev = edits.revert(_kb(), args.id, args.revision, _author(args), args.why)
    print(f"✓ Đã khôi phục {args.id} về phiên bản {args.revision} (thành phiên bản {rev}).")
    return 0


def cmd_diff(args) -> int:
    from bot.staff.diff import diff, format_text

    kb = _kb()
    revisions = [r["revision"] for r in kb.history(args.id)]
    if args.revisions and len(args.revisions) != 2:
        raise ValueError("cần hai số phiên bản (ví dụ: dvcbot kb diff ID 3 5), hoặc không số nào")
    a, b = args.revisions or [revisions[-2] if len(revisions) > 1 else revisions[-1], revisions[-1]]
    print(f"{args.id}: phiên bản {a} → {b}")
    print(format_text(diff(kb.revision(args.id, a), kb.revision(args.id, b))))
    return 0


def cmd_import(args) -> int:
    kb = _kb()
    added = updated = 0
    for entry in _read_entries(args.file):
        current = kb.get(str(entry.get("id")), include_retired=True)
        if current is None:
            kb.add(entry, _author(args), args.why or "nhập từ tệp")
            added += 1
        else:
            base = entry.get("_revision", current["_revision"] if args.overwrite else None)
            if base is None:
                print(f"✗ {entry['id']} đã có; thêm _revision hoặc dùng --overwrite.", file=sys.stderr)
                return 1
            kb.edit(entry, _author(args), args.why or "nhập từ tệp", base_revision=base)
            updated += 1
    print(f"✓ Thêm {added}, cập nhật {updated}.")
    return 0


def cmd_export(args) -> int:
    kb = _kb()
    if args.id:
        return cmd_show(args)
    entries = [{k: v for k, v in e.items() if k != "_retired"} for e in kb.entries()]
    print(_dump({"entries": entries}), end="")
    return 0


def cmd_backup(args) -> int:
    source = str(default_path())
    if not Path(source).is_file():
        raise ValueError(f"Chưa có cơ sở tri thức ở {source}.")
    target = Path(args.file)
    check_backup_target(target, Path(source), args.force)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    copy_db(source, str(tmp), single_file=True)
    count = check_backup(str(tmp))
    os.replace(tmp, target)
    print(f"✓ Đã sao lưu {count} mục vào {target}.")
    return 0


def cmd_restore(args) -> int:
    live = default_path()
    check_restore_source(Path(args.file), live)
    count = check_backup(args.file)
    kept = None
    if live.is_file():
        kept = live.with_name(f"{live.stem}.truoc-khoi-phuc-{dt.datetime.now():%Y%m%d-%H%M%S}{live.suffix}")
        copy_db(str(live), str(kept), single_file=True)
    copy_db(args.file, str(live))
    kb = _kb()  # recreates the search index if the backup had none
    try:
        indexed = kb.db.execute(f"select count(*) from {search_index.TABLE}").fetchone()[0]
        current = kb.entries()
        if indexed != len(current):
            with kb.db.conn:
                kb.db.execute(f"delete from {search_index.TABLE}")
                for entry in current:
                    search_index.index_entry(kb.db, {k: v for k, v in entry.items() if not k.startswith("_")}, False)
    finally:
        kb.close()
    print(
        f"✓ Đã khôi phục {count} mục từ {args.file}." + (f" Bản trước khi khôi phục được giữ ở {kept}." if kept else "")
    )
    return 0


def stats_rows(entries: list[dict], today: dt.date | None = None) -> list[tuple]:
    """Coverage per topic: entries, share with source, share verified within 365 days, needs_review."""
    today = today or vn_today()
    by_topic: dict[str, list[dict]] = {}
    for e in entries:
        by_topic.setdefault(e.get("topic", "?"), []).append(e)
    rows = []
    for topic in sorted(by_topic) + ["TỔNG"]:
        group = entries if topic == "TỔNG" else by_topic[topic]
        sourced = sum(1 for e in group if str(e.get("source") or "").strip())
        fresh = sum(1 for e in group if (today - dt.date.fromisoformat(str(e["verified_on"]))).days <= 365)
        review = sum(1 for e in group if e.get("status") == "needs_review")
        n = len(group)
        rows.append((topic, n, f"{100 * sourced / n:.0f}%", f"{100 * fresh / n:.0f}%", review))
    return rows


def cmd_stats(args) -> int:
    entries = _kb().entries()
    print(f"{'chủ đề':<14} {'số mục':>6} {'có nguồn':>9} {'≤365 ngày':>10} {'cần kiểm tra':>13}")
    for topic, n, sourced, fresh, review in stats_rows(entries):
        print(f"{topic:<14} {n:>6} {sourced:>9} {fresh:>10} {review:>13}")
    kinds = Counter(e["kind"] for e in entries)
    print("theo loại: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    for table in coverage.tables(entries):
        print("\n" + coverage.format_table(table))
    return 0


def cmd_stale(args) -> int:
    today = vn_today()
    found = 0
    for e in _kb().entries():
        age = (today - dt.date.fromisoformat(str(e["verified_on"]))).days
        if age > args.days:
            found += 1
            print(f"{e['id']:<40} kiểm tra lần cuối {e['verified_on']} ({age} ngày)")
    if not found:
        print(f"Không có mục nào quá {args.days} ngày chưa kiểm tra.")
    return 0


def add_parser(sub) -> None:
    """Register ``dvcbot kb`` and its subcommands."""
    kb = sub.add_parser(
        "kb",
        help="xem và sửa cơ sở tri thức (cho cán bộ)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ks = kb.add_subparsers(dest="kb_command", required=True)

    def cmd(name, func, help_):
        p = ks.add_parser(name, help=help_)
        p.set_defaults(func=_guarded(func))
        return p

    cmd("build", cmd_build, "nạp/cập nhật từ knowledge/content (giữ các sửa đổi của cán bộ)")
    p = cmd("validate", cmd_validate, "kiểm tra các tệp nội dung")
    p.add_argument("--dir")
    p = cmd("list", cmd_list, "liệt kê các mục")
    p.add_argument("--kind")
    p.add_argument("--topic")
    p.add_argument("--all", action="store_true", help="kể cả mục đã ẩn")
    p = cmd("show", cmd_show, "xem một mục (YAML)")
    p.add_argument("id")
    p = cmd("search", cmd_search, "tìm kiếm (không cần dấu)")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=10)
    for name, func, help_ in (
        ("add", cmd_add, "thêm mục từ tệp YAML"),
        ("edit", cmd_edit, "lưu mục đã sửa từ tệp YAML (có _revision)"),
        ("import", cmd_import, "nhập nhiều mục từ tệp YAML"),
    ):
        p = cmd(name, func, help_)
        p.add_argument("file", help="tệp YAML, hoặc - để đọc stdin")
        p.add_argument("--by", help="tên người sửa (mặc định $DVCBOT_STAFF_NAME)")
        p.add_argument("--why", required=(name == "edit"), help="lý do sửa")
        if name == "import":
            p.add_argument("--overwrite", action="store_true")
        if name == "edit":
            p.add_argument("--yes", action="store_true", help="lưu dù có cảnh báo")
            p.add_argument(
                "--check",
                action="store_true",
                help="hỏi lại bộ câu hỏi với bản sửa (cần Rasa đang chạy, $DVCBOT_RASA_URL) và cảnh báo câu mất trả lời",
            )
    p = cmd("retire", cmd_retire, "ẩn một mục (không xóa)")
    p.add_argument("id")
    p.add_argument("--by")
    p.add_argument("--why", required=True)
    p = cmd("history", cmd_history, "lịch sử sửa đổi của một mục")
    p.add_argument("id")
    p = cmd("revert", cmd_revert, "khôi phục một phiên bản cũ (cần --why)")
    p.add_argument("id")
    p.add_argument("revision", type=int)
    p.add_argument("--by")
    p.add_argument("--why", required=True, help="lý do khôi phục")
    p = cmd("diff", cmd_diff, "khác biệt giữa hai phiên bản của một mục (mặc định: hai phiên bản cuối)")
    p.add_argument("id")
    p.add_argument("revisions", nargs="*", type=int, metavar="REV")
    p = cmd("export", cmd_export, "xuất một mục hoặc toàn bộ ra YAML")
    p.add_argument("id", nargs="?")
    cmd("stats", cmd_stats, "bảng độ phủ theo chủ đề")
    p = cmd("stale", cmd_stale, "các mục lâu chưa kiểm tra")
    p.add_argument("--days", type=int, default=365)
    p = cmd("backup", cmd_backup, "sao lưu cơ sở tri thức ra tệp (trong khi bot vẫn chạy)")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="ghi đè tệp đã có")
    p = cmd("restore", cmd_restore, "khôi phục từ tệp sao lưu (kiểm tra tệp trước, giữ bản hiện tại)")
    p.add_argument("file")


def _guarded(func):
    """Turn knowledge errors into a clear message and exit code 1 (nothing is written on error)."""

    def run(args) -> int:
        try:
            return func(args)
        except InvalidEntry as exc:
            for eid, field, msg in exc.errors:
                print(f"✗ {eid}: trường '{field}': {msg}", file=sys.stderr)
            print("Không có gì được ghi.", file=sys.stderr)
        except (Conflict, ContentError, ValueError) as exc:
            print(f"✗ {exc}", file=sys.stderr)
        except NotFound as exc:
            print(f"✗ Không tìm thấy {exc.args[0] if exc.args else ''}.", file=sys.stderr)
        except sqlite3.OperationalError as exc:
            print(
                f"✗ Cơ sở tri thức đang bận (có người khác đang ghi) hoặc không mở được: {exc}. "
                "Không có gì được ghi; bạn thử lại sau ít phút.",
                file=sys.stderr,
            )
        except sqlite3.DatabaseError as exc:
            print(
                f"✗ Tệp cơ sở tri thức bị hỏng: {exc}. Khôi phục bằng `dvcbot kb restore TỆP_SAO_LƯU`.", file=sys.stderr
            )
        return 1

    return run
