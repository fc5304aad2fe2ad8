"""``dvcbot bench nlu``: NLU parse time and training time (placeholder until implemented)."""


def add_parser(sub) -> None:
    p = sub.add_parser("nlu", help="thời gian phân tích NLU và huấn luyện")
    p.set_defaults(func=lambda args: print("chưa cài đặt") or 1)
