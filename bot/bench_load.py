"""``dvcbot bench load``: load benchmark through the full stack (placeholder until implemented)."""


def add_parser(sub) -> None:
    p = sub.add_parser("load", help="tải nhiều người dùng giả lập qua toàn bộ hệ thống")
    p.set_defaults(func=lambda args: print("chưa cài đặt") or 1)
