"""``dvcbot staff …``: the staff web page (``serve``) and its accounts (``add-user``)."""

from __future__ import annotations

import contextlib
import getpass
import os
import subprocess
import sys
from collections.abc import Iterator

from bot.runtime import front, paths


def cmd_serve(args) -> int:
    """The staff page, always on the front environment (like the Telegram bot): started on Rasa's environment,
    it hands itself to the front environment's Python."""
    if not paths.in_front_env():
        command = front.front_command()[:-1] + ["staff", "serve", "--host", args.host]
        command += ["--port", str(args.port)] if args.port else []
        return subprocess.run(command, cwd=paths.ROOT, env=paths.env()).returncode
    # lazy: aiohttp and the answer functions are not needed by the other dvcbot commands
    from bot.staff.server import serve

    serve(args.host, args.port)
    return 0


def cmd_add_user(args) -> int:
    from bot.staff.accounts import Accounts

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("✗ Hai lần nhập không khớp.", file=sys.stderr)
            return 1
    try:
        Accounts().add_user(args.name, password)
    except ValueError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(f"✓ Đã tạo (hoặc đặt lại mật khẩu) tài khoản '{args.name.strip()}'.")
    return 0


@contextlib.contextmanager
def staff_process(rasa_url: str) -> Iterator[None]:
    """``dvcbot staff serve`` as a child process while the block runs, when ``$STAFF_WEB_PORT`` is set."""
    port = os.environ.get("STAFF_WEB_PORT")
    if not port:
        yield
        return
    proc = subprocess.Popen(
        [*front.front_command()[:-1], "staff", "serve", "--port", port],  # on the front environment
        cwd=paths.ROOT,
        env={**paths.env(), "DVCBOT_RASA_URL": rasa_url},
    )
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def add_parser(sub) -> None:
    """Register ``dvcbot staff`` and its subcommands."""
    staff = sub.add_parser("staff", help="trang web cho cán bộ (sửa tri thức, kiểm tra trước khi xuất bản)")
    ss = staff.add_subparsers(dest="staff_command", required=True)
    p = ss.add_parser("serve", help="chạy trang cán bộ (mặc định 127.0.0.1, cổng $STAFF_WEB_PORT hoặc 8081)")
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định chỉ máy này)")
    p.add_argument("--port", type=int, default=None, help="cổng (mặc định $STAFF_WEB_PORT hoặc 8081)")
    p.set_defaults(func=cmd_serve)
    p = ss.add_parser("add-user", help="tạo tài khoản cán bộ hoặc đặt lại mật khẩu")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    p.set_defaults(func=cmd_add_user)
