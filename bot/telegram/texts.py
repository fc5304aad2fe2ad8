"""Every text a Telegram user reads (citizens, volunteers and staff), in one place to reword them.

Texts sent with ``parse_mode=HTML`` are marked (HTML): their ``{…}`` fields must be given escaped.
"""

from __future__ import annotations

from telegram import BotCommand

# ---- menu of commands (published with setMyCommands) --------------------------------------------------
COMMANDS = [
    BotCommand("start", "Chọn chủ đề"),
    BotCommand("phi", "Tra lệ phí một thủ tục"),
    BotCommand("huongdan", "Hướng dẫn từng bước (cho tình nguyện viên)"),
    BotCommand("checklist", "Danh sách giấy tờ cần chuẩn bị"),
    BotCommand("lienhe", "Số điện thoại hỗ trợ"),
    BotCommand("help", "Hướng dẫn sử dụng"),
]

# ---- citizens --------------------------------------------------------------------------------------
GREETING = (  # (HTML)
    "Xin chào <b>{name}</b>! Mình là trợ lý Dịch vụ công, giúp bạn tìm hiểu các thủ tục "
    "hành chính trực tuyến.\n\n"
    "Bạn chọn một chủ đề bên dưới hoặc gõ câu hỏi của mình nhé."
)
HELP_TEXT = (  # (HTML)
    "<b>Mình có thể giúp bạn:</b>\n"
    "• Kích hoạt và sử dụng tài khoản định danh điện tử VNeID\n"
    "• Làm, cấp đổi thẻ căn cước\n"
    "• Đăng ký thường trú, tạm trú\n"
    "• Lệ phí và mức giảm phí khi nộp hồ sơ trực tuyến\n"
    "• Các thủ tục thiết yếu trên Cổng Dịch vụ công\n"
    "• Nhận biết chiêu lừa đảo mạo danh cơ quan nhà nước\n\n"
    "<b>Cách hỏi:</b> gõ câu hỏi bằng tiếng Việt (có dấu càng tốt), mỗi tin một câu, ví dụ "
    "«Lệ phí đăng ký thường trú là bao nhiêu?»\n"
    "Trong nhóm, bạn nhắc @{username} hoặc trả lời tin nhắn của mình.\n\n"
    "<b>Lệnh:</b> /start chọn chủ đề · /phi tra lệ phí · /lienhe số điện thoại hỗ trợ · /help hướng dẫn này\n"
    "<b>Tình nguyện viên:</b> /huongdan đi từng bước một thủ tục · /checklist &lt;thủ tục&gt; danh sách "
    "giấy tờ để in\n\n"
    "Thông tin chỉ để tham khảo. Đừng gửi số điện thoại, số căn cước hay mã OTP vào cuộc trò chuyện."
)
TEXT_ONLY = (
    "Xin lỗi, mình chỉ đọc được tin nhắn dạng chữ (không đọc được ảnh, nhãn dán, tin nhắn thoại, tệp hay "
    "vị trí). Bạn vui lòng gõ câu hỏi nhé."
)
CONTACT_WARNING = (
    "Vì an toàn của bạn, xin đừng chia sẻ số điện thoại, số căn cước/định danh cá nhân hay mã OTP "
    "trong cuộc trò chuyện. Mình không cần những thông tin này để trả lời và sẽ không lưu lại."
)
PRIVACY_NOTE = (
    "⚠️ Tin nhắn của bạn có số căn cước, số điện thoại hoặc mã bảo mật. Mình đã bỏ qua phần đó và không lưu lại; "
    "lần sau bạn đừng gửi những thông tin này nhé."
)
LONG_INPUT_TEXT = (
    "Tin nhắn khá dài nên mình chỉ đọc phần đầu. Bạn hỏi ngắn gọn từng câu để mình trả lời chính xác hơn nhé."
)
UNKNOWN_COMMAND_TEXT = "Mình chưa biết lệnh này. Gõ /help để xem hướng dẫn nhé."
EXPIRED_BUTTON_TEXT = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi hoặc gõ /start nhé."
CHOOSE_TEXT = "Mời bạn chọn:"
RATED_TEXT = "Cảm ơn bạn đã đánh giá!"
ERROR_TEXT = "Xin lỗi, đã có lỗi xảy ra. Bạn vui lòng thử lại sau hoặc gõ /start để bắt đầu lại nhé."

# ---- Rasa down: the retry queue -----------------------------------------------------------------------
BUSY_TEXT = "Hệ thống đang bận."
KB_BUSY_TEXT = "Hệ thống đang bận, bạn vui lòng thử lại sau ít phút nhé."
KB_BUSY_SAVE = "Cơ sở tri thức đang bận (có người khác đang ghi): chưa lưu gì. Bấm «✅ Lưu» lại sau ít phút, hoặc /huy."
QUEUED_TEXT = "Mình đã ghi lại câu hỏi và sẽ tự trả lời ngay khi hệ thống sẵn sàng, bạn không cần gửi lại."
RETRY_INTRO = "Đây là câu trả lời cho câu hỏi bạn gửi lúc {time}:"
RETRY_GAVE_UP = (
    "Xin lỗi, hệ thống vẫn chưa sẵn sàng nên mình chưa trả lời được câu hỏi bạn gửi lúc {time}. "
    "Bạn vui lòng gửi lại sau nhé."
)

# ---- /phi: the fee walk-through ------------------------------------------------------------------------
FEE_ASK_SERVICE = "Bạn muốn tra lệ phí thủ tục nào?"
FEE_QUIT_BUTTON = "✖️ Thôi"
FEE_ASK_PROVINCE = "Lệ phí <b>{service}</b>: bạn nộp hồ sơ ở tỉnh/thành nào?"  # (HTML)
FEE_NATIONWIDE = "Toàn quốc"
FEE_TYPE_PROVINCE_BUTTON = "✍️ Gõ tên tỉnh"
FEE_TYPE_PROVINCE = "Bạn gõ tên tỉnh/thành (tên cũ trước sáp nhập hay tên mới đều được), ví dụ «Nghệ An»."
# the citizen's text is never repeated back (issue 12: a group could make the bot post any line as its own)
FEE_UNKNOWN_PROVINCE = (
    "Mình chưa nhận ra tên tỉnh/thành bạn gõ. Bạn gõ lại giúp mình (ví dụ: Hà Nội, Long An), hoặc gõ /huy để dừng."
)
FEE_ASK_CHANNEL = "Lệ phí <b>{service}</b> ở <b>{province}</b>: bạn định nộp hồ sơ thế nào?"  # (HTML)
FEE_CHANNELS = {"o": "💻 Nộp trực tuyến", "t": "🏢 Nộp trực tiếp", "b": "⚖️ So sánh cả hai"}
FEE_CHOSEN = (  # (HTML)
    "Lệ phí <b>{service}</b> · {province} · {channel}\n"
    "Câu trả lời dưới đây có cả mức nộp trực tuyến và nộp trực tiếp{highlight}."
)
FEE_HIGHLIGHT = {"o": " — mức của bạn là dòng «Nộp trực tuyến»", "t": " — mức của bạn là dòng «Nộp trực tiếp»"}
FEE_CANCELLED = "Đã dừng tra lệ phí. Gõ /phi để bắt đầu lại."
FEE_NO_SERVICE = "Thủ tục này không còn trong cơ sở tri thức. Gõ /phi để chọn lại."
FEE_NO_SERVICES = "Hiện chưa có thủ tục nào có lệ phí trong cơ sở tri thức."

# ---- volunteers: /huongdan and /checklist ---------------------------------------------------------------
GUIDE_CHOOSE = "Chọn thủ tục cần hướng dẫn (trang {page}/{pages}):"
CHECKLIST_CHOOSE = "Chọn thủ tục để nhận danh sách chuẩn bị (trang {page}/{pages}):"
GUIDE_GONE = "Thủ tục này không còn trong cơ sở tri thức. Gõ /huongdan để chọn lại."
GUIDE_DONE = (  # (HTML)
    "✅ Xong hướng dẫn <b>{title}</b>.\n"
    "Gõ /checklist {name} để có danh sách giấy tờ in cho người dân, hoặc /huongdan để chọn thủ tục khác."
)
CHECKLIST_UNKNOWN = "Mình chưa tìm thấy thủ tục bạn gõ. Gõ /checklist (không kèm tên) để chọn từ danh sách."
BACK, NEXT, DONE = "◀️ Quay lại", "Tiếp ▶️", "✅ Xong"
PAGE_BACK, PAGE_NEXT = "◀️ Trang trước", "Trang sau ▶️"
# the guide's screens and the checklist render the service with the chat's templates (actions/templates)

# ---- staff -------------------------------------------------------------------------------------------
STATS_REPORT = (  # /thongke
    "Thống kê {days} ngày gần nhất\n"
    "• Tin nhắn: {messages} (gõ chữ: {typed}, bấm nút: {buttons}) từ {chats} cuộc trò chuyện\n"
    "• Tỉ lệ không hiểu (fallback): {fallback_share} ({fallbacks}/{typed})\n"
    "• Đánh giá: 👍 {thumbs_up} · 👎 {thumbs_down}\n"
    "• Ý định hỏi nhiều nhất:"
)
STATS_ROW = "   {count} × {what}"
STATS_UNANSWERED = "• Câu hỏi chưa trả lời được:"
STATS_NONE_YET, STATS_NONE = "   (chưa có)", "   (không có)"
ADMIN_ONLY = "Xin lỗi, lệnh này chỉ dành cho cán bộ quản trị, trong tin nhắn riêng với bot."
RASA_UP = "Rasa: đang hoạt động."
RASA_DOWN = "Rasa: không phản hồi."
NO_STATS = "Chưa bật thống kê."
USAGE = {  # (HTML)
    "xemmuc": "Cách dùng: /xemmuc &lt;mã mục hoặc từ khoá&gt;, ví dụ /xemmuc vneid_locked",
    "suamuc": "Cách dùng: /suamuc &lt;mã mục&gt;, ví dụ /suamuc vneid_locked",
    "anmuc": "Cách dùng: /anmuc &lt;mã mục&gt; [lý do], ví dụ /anmuc scam_gift_message hết hiệu lực",
}
FOUND_ENTRIES = "Các mục tìm thấy:\n{lines}"  # (HTML)
FOUND_ENTRY = "• <code>{id}</code> — {title}"  # (HTML)
ENTRY_HEADER = "<b>{id}</b> · phiên bản {revision}{retired} · sửa bởi {author} lúc {time}"  # (HTML)
ENTRY_RETIRED = " · ĐÃ ẨN"
NOT_FOUND = "Không có mục «{id}». Gõ /xemmuc &lt;từ khoá&gt; để tìm mã mục."  # (HTML)
NO_ANSWER_FIELD = (  # (HTML)
    "Mục «{id}» thuộc loại {kind}, không có câu trả lời để sửa trên Telegram. "
    "Dùng lệnh <code>dvcbot kb edit</code> để sửa các trường khác."
)
ASK_ANSWER = (  # (HTML)
    "Mục <b>{id}</b> (phiên bản {revision}). Nội dung hiện tại của trường <code>{field}</code>:\n"
    "<pre>{value}</pre>\nGửi nội dung mới trong một tin nhắn, hoặc /huy để thôi."
)
ASK_ENTRY = (
    "Gửi nội dung mục mới dạng YAML trong một tin nhắn (các trường như trong knowledge/README.md: id, kind, "
    "title, source, verified_on, status…), hoặc /huy để thôi."
)
BAD_YAML = "Không đọc được YAML: {error}. Gửi lại, hoặc /huy để thôi."
BAD_YAML_WHERE = " (dòng {line}, cột {column})"
INVALID = "Mục chưa hợp lệ, chưa lưu gì:\n{problems}\nGửi lại, hoặc /huy để thôi."
PROBLEM = "• {field}: {message}"
EXISTS = "Đã có mục «{id}». Dùng /suamuc {id} để sửa. Gửi nội dung khác, hoặc /huy để thôi."
ASK_REASON = "Lý do thay đổi (ví dụ: «Cập nhật theo công văn số …»)?"
CONFIRM = "{summary}\nLý do: {reason}\n\nLưu thay đổi này?"  # (HTML)
CONFIRM_EDIT = (  # (HTML)
    "Sửa mục <b>{id}</b> (từ phiên bản {revision}), trường <code>{field}</code> thành:\n<pre>{value}</pre>"
)
CONFIRM_ADD = "Thêm mục <b>{id}</b> ({kind}): {title}"  # (HTML)
CONFIRM_RETIRE = (  # (HTML)
    "Ẩn mục <b>{id}</b> — {title} (không xoá; khôi phục được bằng <code>dvcbot kb revert</code>)"
)
SAVE_BUTTON, CANCEL_BUTTON = "✅ Lưu", "✖️ Huỷ"
EDIT_WARNING = "\n⚠️ {warning}"  # (HTML) a harmful-looking edit, from knowledge.edits.warnings
UNCHANGED = "Mục <b>{id}</b> không có gì thay đổi: không thêm phiên bản mới (vẫn là phiên bản {revision})."
SAVED = "✅ Đã lưu mục <b>{id}</b>, phiên bản {revision}. Bot dùng nội dung mới ngay, không cần khởi động lại."
CANCELLED = "Đã huỷ, không có gì thay đổi."
NOTHING_TO_CANCEL = "Không có thao tác nào đang chờ."
REFUSED = "Không lưu được: {reason}"
REFUSED_INVALID = "mục chưa hợp lệ.\n{problems}"
REFUSED_GONE = "không còn mục «{id}»."
