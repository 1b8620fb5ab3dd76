"""The plan workbook's sheets, headers and the words its cells use.

Every sheet has an instruction line (row 1), its headers (row 2) and its rows from row 3. The
frame sheet has one row per setting (項目, 値). Booleans are はい / いいえ (blank: いいえ).
Responsible departments: one per line, 「部局名（課名・課名）」 or just 「部局名」. 再掲: one per
line, 「階層の記号-番号」 (e.g. 3ウ-15). Figures: one column per fiscal year, 「2025年度（千円）」,
integer 千円.
"""
import re

from programs.models import DatePrecision, Numbering

INSTRUCTION_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3

YES, NO = "はい", "いいえ"

FRAME = "枠組み"
LEVELS = "階層"
STATUSES = "進行状況"
ITEMS = "項目"
SCHEDULE = "作業工程"
SHEETS = [FRAME, LEVELS, STATUSES, ITEMS, SCHEDULE]
REQUIRED_SHEETS = [FRAME, LEVELS, STATUSES, ITEMS]

FRAME_HEADERS = ["項目", "値"]
# (label, document key, kind): the frame sheet's rows, in this order
FRAME_ROWS = [
    ("プログラム名", "name", "text!"),
    ("プログラム名（英語）", "name_en", "text"),
    ("URL名", "slug", "text"),
    ("略称", "short_name", "text"),
    ("元の文書の表題", "source_title", "text"),
    ("開始年度（西暦）", "start_fiscal_year", "year"),
    ("終了年度（西暦）", "end_fiscal_year", "year"),
    ("基準日", "as_of", "date"),
    ("基準日の精度", "as_of_precision", "precision"),
    ("基準時点の表記", "as_of_label", "text!"),
    ("発行部署", "issuing_office", "text"),
    ("発行部署（英語）", "issuing_office_en", "text"),
    ("プログラムの説明", "introduction", "text"),
    ("上の階層の名称", "level1", "text!"),
    ("上の階層の名称（英語）", "level1_en", "text"),
    ("下の階層の名称", "level2", "text"),
    ("下の階層の名称（英語）", "level2_en", "text"),
    ("項目の名称", "item", "text!"),
    ("項目の名称（英語）", "item_en", "text"),
    ("年度ごとの金額の名称", "figure", "text"),
    ("年度ごとの金額の名称（英語）", "figure_en", "text"),
    ("財源確保額表", "ledger", "yesno"),
    ("財源確保目標額（千円）", "fiscal_target_thousand_yen", "amount"),
    ("番号の付け方", "numbering", "numbering"),
]

LEVEL_HEADERS = ["階層", "記号", "番号", "表示順", "名称", "名称（英語）", "上の階層"]
STATUS_HEADERS = ["コード", "名称", "名称（英語）", "表示順", "重さ", "分母に数える", "遅れ", "理由が必要", "開始前"]
STATUS_FLAGS = {"分母に数える": "counted", "遅れ": "behind", "理由が必要": "needs_reason", "開始前": "not_yet_due"}
ITEM_HEADERS = ["番号", "名称", "階層の記号", "所管部局・課", "目指す姿", "経過や背景", "今後の予定", "財源確保目標額（表記）", "再掲"]
ITEM_TEXTS = {"目指す姿": "goal", "経過や背景": "background", "今後の予定": "next_steps", "財源確保目標額（表記）": "fiscal_target"}
SCHEDULE_HEADERS = ["番号", "階層の記号", "年度（西暦）", "工程"]

FIGURE_HEADER = re.compile(r"(\d{4})年度（千円）")


def figure_header(fiscal_year: int) -> str:
    return f"{fiscal_year}年度（千円）"


# The workbook's words, in Japanese whatever the page's language (the models' labels are translated)
PRECISIONS = {"日": DatePrecision.DAY.value, "月": DatePrecision.MONTH.value}
NUMBERINGS = {"プログラム全体で通し番号": Numbering.PROGRAM.value, "下の階層ごとに1から": Numbering.LEVEL.value}


def word(words: dict, value: str) -> str:
    return next(w for w, v in words.items() if v == value)

INSTRUCTIONS = {
    FRAME: "プログラムの名前・期間・階層と項目の呼び方など。「値」の列に入力します（年度は西暦、金額は千円の整数、はい／いいえ）。",
    LEVELS: "階層が2つなら、上の階層（階層=1）の行と、下の階層（階層=2）の行に「上の階層」の名称を入力します。"
            "階層が1つなら階層=1の行だけに記号を入力します。記号は項目の「階層の記号」で使います。",
    STATUSES: "このプログラムが報告する進行状況。重さは大きいほど深刻。はい／いいえで規則を指定します（例は行財政改革推進プログラムの5つ。編集してください）。",
    ITEMS: "1行に1項目。所管部局・課は1行に1つ「部局名（課名・課名）」。再掲は1行に1つ「階層の記号-番号」。"
           "金額の列は「2025年度（千円）」の形で年度ごとに、千円の整数で入力します。",
    SCHEDULE: "（任意）作業工程。1行に1つ、番号・年度・工程。番号が階層ごとの場合は階層の記号も入力します。",
}
