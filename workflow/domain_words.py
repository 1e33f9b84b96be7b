"""Domain words outside the vocabulary module for now (the lead folds them into it): words stored with the data,
case-sheet headers, column synonyms of imported files, names of generated areas."""
from __future__ import annotations

SYSTEM_ACTOR = "系统"  # who the trail says acted when the deadline escalated a case

# notes the case trail stores beside an action; a note the user typed follows after TRAIL_NOTE_SEP
TRAIL_NOTES = {
    "merged_into": "合并至 {code}",
    "dispatched_to": "派至 {assignee}",
    "satisfaction": "满意度：{value}",
    "escalated_to": "上报至{level}",
    "absorbed": "{code} 作为重复件合并至此",
    "overdue": "{previous}超时，上报至{level}",
    "sheet_row": "表格导入第 {row} 行",
}
TRAIL_NOTE_SEP = "："


def trail_note(kind: str, typed: str | None = None, /, **params) -> str:
    """The note stored with an action: the generated words, then what the user typed, if anything."""
    note = TRAIL_NOTES[kind].format(**params)
    return note + (f"{TRAIL_NOTE_SEP}{typed}" if typed else "")

# A case sheet (export and import of /cases/): field → column header. The export writes these headers and the
# import reads them, so an exported list reads back in; the list on /cases/ shows the same words.
CASE_SHEET_NAME = "诉求"
CASE_SHEET_HEADERS = {"code": "编号", "created_at": "登记时间", "category": "类别", "source": "来源",
                      "description": "描述", "status": "状态", "level": "层级", "deadline": "时限",
                      "light_label": "红黄绿", "assignee": "承办", "reporter": "反映人", "lon": "经度", "lat": "纬度",
                      "reporter_phone": "联系电话"}
