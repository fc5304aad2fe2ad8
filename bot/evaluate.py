"""``dvcbot eval``: NLU quality on the held-out set (placeholder until implemented)."""


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="đánh giá NLU trên tập kiểm tra riêng")
    p.set_defaults(func=lambda args: print("chưa cài đặt") or 1)
