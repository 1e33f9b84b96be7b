"""Every Chinese UI string, in one place."""
from workflow.vocab import CASE_SHEET_HEADERS

APP_TITLE = "近邻一张图"
APP_SUBTITLE = "基层治理 · 一张图"
DEMO_BADGE = "演示数据"
NAV_MAP = "一张图"
NAV_SCREEN = "大屏"
NAV_PUBLIC = "居民服务地图"
NAV_ADMIN = "用户管理"
LOGOUT = "退出"
USER_LABEL = "{name}（{role}）"  # the person in the staff top bar

ALL_STREETS = "全部街道"
TILES_TIANDITU = "天地图"  # attribution on the map when its tiles are shown
TILES_AMAP = "高德地图"

LEVEL = {"root": "辖区", "street": "街道", "community": "社区", "grid": "网格", "compound": "小区", "building": "楼栋"}
ERA = {"old": "老旧小区", "mid": "多层小区", "new": "高层小区", "mixed": "新老混合"}

OVERLAY_GRIDS = "网格"
OVERLAY_CASES = "在办诉求"
OVERLAY_SERVICES = "服务阵地"
OVERLAY_POSTS = "志愿岗位"
OVERLAY_GAPS = "覆盖缺口"
OVERLAY_WISHES = "微心愿"
WISH_LEGEND_OPEN = "心愿待认领"
WISH_LEGEND_CLAIMED = "心愿已认领"
LEGEND_POSTS_WISHES = "岗位 · 微心愿"

NOT_FOUND_TITLE = "区域不存在"
NOT_FOUND_BODY = "找不到编码为「{code}」的区域，可能链接有误或区域已调整。"
NOT_FOUND_BACK = "返回首页"
LOADING = "加载中…"

KPI_HOUSEHOLDS = "户数"
KPI_RESIDENTS = "常住人口"
KPI_ELDERLY = "60岁以上"
KPI_PARTY = "党员"
KPI_BUILDINGS = "楼栋"

SECTION_CASES = "诉求事件"
SECTION_SERVICES = "服务阵地"
SECTION_POSTS = "志愿岗位"
SECTION_CHART = "近12个月诉求（按类别）"
SECTION_CHILDREN = "下级区域"
SECTION_FACTS = "楼栋信息"
SECTION_OPEN_CASES = "本楼在办诉求"
SECTION_NEAREST = "最近的服务阵地"
SECTION_GRID_LEADERS = "网格与网格长"

OPEN_CASES = "在办"
LIGHT = {"red": "超期", "yellow": "临期", "green": "正常"}
# a case that missed a deadline and was sent up the ladder with a fresh one: still counted, never green in words
ESCALATED = "超期升级"
ESCALATED_HINT = "错过时限、已自动上报到上一级的在办诉求（不论现时限是否已过）"
SCREEN_ESCALATED = "另有超期升级 {n} 件"
LIGHT_FILTER = {**LIGHT, "escalated": ESCALATED}
OVERDUE_SPAN = {"days": "已超期 {d} 天 {h} 小时", "hours": "已超期 {h} 小时", "less": "已超期不到 1 小时"}
POSTS_STAFFED = "满员"
POSTS_SHORT = "缺员"
POSTS_FILLED = "在岗 {filled}/{slots} 人"
NO_CASES = "暂无在办诉求"
NO_DATA = "暂无数据"
DISTANCE = "{m} 米"
WITHIN = "达标"
BEYOND = "超出{radius}米"
DEADLINE = "时限 {when}"
REPORTER = "反映人 {name}"

FACT_LABELS = {"floors": "层数", "units": "单元数", "households": "户数", "residents": "常住人口",
               "elderly": "60岁以上", "party_members": "党员", "built_year": "建成年份"}

LEGEND_LIGHTS = "诉求时限"
# the words assets/jinlin.js puts into the map's tooltips and popups: the layout hands them over in each GeoJSON
# hideout as "labels" (rows: the field a popup shows → its name)
MAP_LABELS = {
    "level": LEVEL,
    "areaTip": "{level} · {name}",
    "households": "（{n} 户）",
    "gridLeader": " · 网格长 {name}",
    "gap": {"titleGap": "{name}（覆盖缺口）", "titleCovered": "{name}（已覆盖）", "unreachable": "路网不可达",
            "metres": "{n} 米", "minutes": "{n} 分钟（老人约 {elderly} 分钟）", "standard": "{radius} 米 ≈ {limit} 分钟",
            "rows": {"distance": "步行距离", "minutes": "步行时间", "standard": "标准", "households": "户数",
                     "elderly": "60岁以上"}},
    "caseRows": {"code": "编号", "description": "描述", "level": "层级", "deadline": "时限", "overdue": "超期",
                 "assignee": "承办", "reporter": "反映人"},
    "cluster": "诉求 {n} 件（超期 {red}，超期升级 {escalated}）",
    "overdueSpan": OVERDUE_SPAN, "escalated": ESCALATED,
    "serviceRows": {"type": "类型", "hours": "开放时间", "capacity": "容量", "address": "地址", "phone": "电话"},
    "people": "{n} 人",
    "wish": {"glyph": "愿", "title": "微心愿 · {status}",
             "rows": {"code": "编号", "title": "心愿", "published": "发布", "claimant": "认领"}},
    "post": {"filled": "{filled} / {slots} 人", "staffed": "满员", "short": "缺员 {n} 人",
             "rows": {"type": "岗位", "filled": "在岗", "schedule": "时间", "state": "状态"}},
}
GAP_TYPE_LABEL = "缺口类型"
GAP_TYPE_OPTION = "{type}（{radius}米）"
WITH_COUNT = "{label}（{n}）"
CHART_MONTH = "{month}月"

DB_UNAVAILABLE = "数据库暂时不可用，正在自动重试，恢复后页面会自动刷新。"
UNEXPECTED_ERROR = "出错了，请稍后重试。如果问题持续，请联系管理员。"
BAD_CHARACTERS = "输入内容中含有无法识别的字符（如空字符或残缺的表情符号），请删除后重新输入。"
# what the JSON routes and the login page (api/) say
API_DB_UNAVAILABLE = "数据库暂时不可用，请稍后重试"
API_INTERNAL_ERROR = "出错了，请稍后重试"
LOGIN_USERNAME = "用户名"
LOGIN_PASSWORD = "密码"
LOGIN_THROTTLED = "尝试次数过多，请 {minutes} 分钟后再试。"
LOGIN_WRONG = "用户名或密码不正确。"
LOGIN_EXPIRED = "表单已过期，请重新输入。"
LOGIN_MISSING = "请输入用户名和密码。"
LOGIN_BAD_CHARACTERS = "用户名或密码中含有无法识别的字符，请重新输入。"
OPEN311_DESCRIPTION = "{category}类诉求"
OPEN311_NOTICE = "已受理登记，将按时限办理"
# Open311's agency_responsible: the office of the case's ladder level (workflow.vocab.Level), by its area's name
OPEN311_AGENCY = {"小区": "{community}{area}小区", "网格": "{community}{area}", "社区": "{area}居民委员会",
                  "街道": "{area}办事处"}
# the command line's words for admins (api/cli*.py)
CLI_PASSWORD_PROMPT = "密码 password"
CLI_TOKEN_LABEL_HELP = "which screen, e.g. 东山社区党群服务中心大屏"
CLI_CRS_HELP = "EPSG:xxxx, gcj02 (高德/腾讯) or bd09 (百度); required when the file declares none"

PUBLIC_TITLE = "社区服务地图"
PUBLIC_SUBTITLE = "找找身边的爱心食堂、日间照料中心、红色驿站"
PUBLIC_SEARCH = "搜索名称或地址，如：爱心食堂"
PUBLIC_LOCATE = "定位我的位置"
PUBLIC_TAP_HINT = "也可以在地图上点一下你所在的位置"
PUBLIC_COUNT = "共 {n} 处"
PUBLIC_NONE = "没有找到符合条件的服务点，换个关键词试试。"
PUBLIC_WALK = "步行约 {minutes} 分钟（约 {metres} 米，按直线估算）"
PUBLIC_HOURS = "开放时间"
PUBLIC_ADDRESS = "地址"
PUBLIC_PHONE = "电话"
PUBLIC_CAPACITY = "可容纳 {n} 人"
PUBLIC_SHARE = "分享此处"
PUBLIC_SHARE_COPIED = "链接已复制，可以粘贴发给家人邻居。"
PUBLIC_SHARE_FAILED = "无法自动复制，请复制地址栏中的链接。"
PUBLIC_NAV = "导航"
PUBLIC_NAV_AMAP = "高德"
PUBLIC_NAV_BAIDU = "百度"
PUBLIC_NAV_OTHER = "其他地图"
PUBLIC_STAFF_LINK = "工作人员登录"
PUBLIC_DEMO_NOTE = "演示数据，非真实服务点"
PUBLIC_POPUP = {"hours": "开放时间：", "address": "地址：", "phone": "电话："}  # a point's popup (assets/public/public.js)
PUBLIC_LOCATE_WORDS = {"unsupported": "无法获取位置（浏览器不支持）。请在地图上点一下你所在的位置。",
                       "sorted": "已按离你的距离排序",
                       "denied": "无法获取位置（可能未授权）。请在地图上点一下你所在的位置。"}

SCREEN_TITLE = "{name} · 基层治理一张图"
SCREEN_KPI = {"open": "在办诉求", "overdue": "超期", "resolved_today": "今日办结", "response_rate": "响应率",
              "resolution_rate": "按期办结率", "satisfaction_rate": "满意率", "volunteers": "在册志愿者",
              "service_points": "服务阵地"}
SCREEN_CATEGORY = "近30天诉求类别"
# a display whose token was revoked (or never worked): it says so, and shows nothing else (no login form)
SCREEN_OFF_TITLE = "此大屏已停用"
# a signed-in person opening a page their role may not open
FORBIDDEN_TITLE = "无权打开此页面"
FORBIDDEN_WHO = "「{page}」只对以下角色开放：{roles}。"
LIST_SEPARATOR = "、"  # between the items of a list in a sentence
FORBIDDEN_ACCOUNT = "当前登录：{person}。如需开通，请联系街道管理员。"
FORBIDDEN_BACK = "返回一张图"
SCREEN_OFF_BODY = "显示令牌已撤销或无效。如需重新开通，请联系街道管理员。"
SCREEN_TREND = "近30天每日诉求"
SCREEN_BOARD = "最新诉求"
SCREEN_TOURING = "正在巡览：{name}"
SCREEN_OVERVIEW = "全域总览"
SCREEN_SCOPE = "统计范围：{name}"
SCREEN_LEGEND_CASES = "诉求"
SCREEN_LEGEND_COUNT = "圆内数字为件数"
SCREEN_LEGEND_SERVICES = "服务阵地"
SCREEN_NO_AREA = "没有可显示的区域"
SCREEN_CLOCK = {"format": "{y}年{m}月{d}日 星期{weekday}  {time}", "weekdays": ["日", "一", "二", "三", "四", "五", "六"]}

ADMIN_TITLE = "用户与大屏管理"
ADMIN_USERS = "工作人员账号"
ADMIN_TOKENS = "大屏令牌"
ADMIN_NEW_USER = "新建账号"
ADMIN_USERNAME = "用户名"
ADMIN_DISPLAY_NAME = "姓名"
ADMIN_ROLE = "角色"
ADMIN_SCOPE = "负责区域编码"
ADMIN_PASSWORD = "初始密码（至少10位）"
ADMIN_CREATE = "创建"
ADMIN_DEACTIVATE = "停用所选账号"
ADMIN_ACTIVATE = "启用所选账号"
ADMIN_RESET = "重置所选账号密码"
ADMIN_NEW_PASSWORD = "新密码（至少10位）"
ADMIN_TOKEN_LABEL = "大屏名称（如：东山社区党群服务中心）"
ADMIN_TOKEN_CREATE = "生成令牌"
ADMIN_TOKEN_REVOKE = "吊销所选令牌"
ADMIN_TOKEN_SHOWN_ONCE = "请立即复制，令牌只显示这一次："
ADMIN_TOKEN_COPY = "复制大屏地址"
ADMIN_SELECT_FIRST = "请先在表格中选择一行。"
ADMIN_DONE = "已完成：{what}"
ADMIN_DID = {"create": "创建 {who}", True: "启用 {who}", False: "停用 {who}", "reset": "重置 {who} 的密码",
             "revoke": "吊销令牌 {who}"}  # True/False: activated or deactivated
ADMIN_STATE = "状态"
ADMIN_USER_STATE = {True: "启用", False: "已停用"}  # by active
ADMIN_TOKEN_ID = "编号"
ADMIN_TOKEN_CREATED = "创建时间"
ADMIN_TOKEN_STATE = {True: "已吊销", False: "有效"}  # by revoked
ROLE_LABELS = {"admin": "管理员", "street_official": "街道干部", "community_staff": "社区工作者",
               "grid_leader": "网格长", "screen": "大屏"}


def person_label(name: str, role: str | None) -> str:
    """A person and their role, as the top bar shows them; a name that already says the role (网格长（演示）) is not
    followed by it again."""
    word = ROLE_LABELS.get(role or "", role or "")
    return name if not word or word in name else USER_LABEL.format(name=name, role=word)


ADMIN_ERRORS = {
    "username": "用户名需 3–50 位，只能包含字母、数字、点、下划线或连字符。",
    "password": "密码需 10–200 位。",
    "password_name": "密码不能包含用户名。",
    "password_text": "密码含有无法识别的字符，请重新输入。",
    "password_common": "密码太常见或太简单，容易被猜中，请换一个。",
    "last_admin": "这是最后一个启用的管理员账号，不能停用：请先创建或启用另一个管理员。",
    "role": "角色无效。",
    "scope_missing": "该角色需要填写负责区域编码。",
    "scope_unknown": "负责区域编码不存在。",
    "scope_level": "负责区域的层级与角色不符（街道干部填街道编码，社区工作者填社区编码，网格长填网格编码）。",
    "taken": "用户名已被使用。",
    "no_user": "账号不存在。",
    "label": "请填写大屏名称。",
    "no_token": "令牌不存在。",
}

NAV_CASES = "诉求"
CASES_TITLE = "诉求事件"
CASES_AREA = "区域：输入社区、网格或小区名"
CASES_SEARCH = "查找：编号、描述、地点、承办…"
CASES_AREA_UNKNOWN = "区域「{code}」不存在或不在您的范围内，已显示全部诉求。"
CASES_ON_MAP = "在地图上查看"
PANEL_CASE_LIST = "在诉求列表中查看 →"
PANEL_OPEN_CASE = "办理"
PANEL_SCOPE_NOTE = "诉求只计您负责的{name}；户数、人口为全区域。"
CASES_BUILDING_OPTION = "{label} · {name}"
CASES_STATUS = "状态"
CASES_CATEGORY = "类别"
CASES_LEVEL = "层级"
CASES_LIGHT = "红黄绿"
CASES_ASSIGNEE = "承办"
CASES_COUNT = "共 {n} 件"
CASES_EXPORT_XLSX = "导出 Excel"
CASES_EXPORT_CSV = "导出 CSV"
CASES_EXPORT_CSV_FILE = "诉求-{stamp}.csv"
CASES_EXPORT_XLSX_FILE = "诉求-{stamp}.xlsx"
CASES_BULK_NO_ASSIGNEE = "请填写派单对象"
CASES_BULK_ASSIGNEE = "批量派单给（部门或人员）"
CASES_BULK = "批量派单所选"
CASES_BULK_DONE = "已派单 {done} 件"
CASES_BULK_REFUSED = "，未能派单 {n} 件：{reasons}"
CASES_DATE_FROM = "开始日期"
CASES_DATE_TO = "结束日期"
CASES_NONE = "没有符合条件的诉求"
CASES_ACTION_ASSIGNEE = "承办部门或人员（派单时填写）"
CASES_PICK = "在表格中点选一件诉求查看详情和办理。"
CASES_TIMELINE = "办理记录"
CASES_NOTE = "办理说明（可选）"
CASES_SATISFACTION = "回访满意度"
CASES_DONE = "已{action}"
# the list's columns are the case sheet's: an export shows what the list shows and reads back in
CASE_FIELDS = {f: CASE_SHEET_HEADERS[f] for f in ("code", "created_at", "category", "source", "place", "description",
                                                  "status", "level", "deadline", "light_label", "assignee", "reporter")}
EXPORT_EXTRA_FIELDS = {f: CASE_SHEET_HEADERS[f] for f in ("lon", "lat")}  # in files only: they let a list re-import
# one case's detail on /cases/: field → label, in this order
CASE_DETAIL_FIELDS = {**{f: CASE_FIELDS[f] for f in ("code", "place", "category", "source", "status", "level",
                                                     "deadline", "assignee", "reporter")},
                      "phone": "电话", "satisfaction": "满意度"}
INTAKE_TITLE = "在此楼登记诉求"
INTAKE_CATEGORY = "类别"
INTAKE_SOURCE = "来源"
INTAKE_DESCRIPTION = "问题描述"
INTAKE_REPORTER = "反映人姓名（可选）"
INTAKE_PHONE = "联系电话（可选）"
INTAKE_SUBMIT = "登记"
INTAKE_DONE = "已登记 {code}，时限 {deadline}"

SECTION_RATES = "三率（近{days}天）"
CHART_TIP = "{month} {category} {n} 件"
RATE_PERIODS = {7: "近7天", 30: "近30天", 90: "近90天", 365: "近一年"}
RATE_HOURS = "平均办结 {hours} 小时"
RATE_LABELS = {"response_rate": "响应率", "resolution_rate": "按期办结率", "satisfaction_rate": "满意率"}
SECTION_RANKING = "网格三率排名（近{days}天）"
RANKING_HEAD = ("网格", "网格长", "件数", "响应", "办结", "满意", "平均办结(时)")
INTAKE_SIMILAR = "；附近 50 米内还有同类在办诉求 {codes}，如重复可在诉求页合并"

# 办理时限 (admin): deadlines per category and level
RULES_TITLE = "办理时限"
RULES_HINT = "各类诉求在每一层级的办理天数（单击单元格修改）。超过时限未办结的诉求自动上报上一级；距时限不足黄灯提前量时亮黄灯。"
RULES_CATEGORY = "类别"
RULES_LEVEL_DAYS = "{level}（天）"
RULES_YELLOW = "黄灯提前量（小时）"
RULES_SAVE = "保存办理时限"
RULES_SAVED = "已保存：新登记和上报的诉求按新时限计算，红黄绿立即按新的黄灯提前量显示。"

# 诉求批量导入 (/cases/)
CASES_IMPORT_BUTTON = "导入 Excel/CSV"
CASES_IMPORT_TEMPLATE = "下载导入模板"
CASES_IMPORT_TEMPLATE_FILE = "诉求导入模板.xlsx"
CASES_IMPORT_SUMMARY = "「{name}」共 {total} 行：可导入 {valid} 行，有问题 {bad} 行。"
CASES_IMPORT_NOTHING_VALID = "没有可导入的行，请按下表修改后重新上传。"
CASES_IMPORT_ALL = "导入这 {n} 行"
CASES_IMPORT_ONLY_VALID = "只导入有效的 {n} 行"
CASES_IMPORT_CANCEL = "取消"
CASES_IMPORT_CANCELLED = "已取消，未导入任何数据。"
CASES_IMPORT_DONE = "已导入 {n} 件诉求（{first} 至 {last}）。"
CASES_IMPORT_FAILED = "导入失败，未写入任何数据：{reason}"
CASES_IMPORT_TOO_BIG = "文件超过 5 MB，请分批导入。"
# what the one upload decoder (callbacks/uploads.py) refused, said for what was being uploaded
SHEET_UPLOAD_ERRORS = {"too_large": CASES_IMPORT_TOO_BIG, "corrupt": "文件上传不完整，请重新上传",
                       "empty_file": CASES_IMPORT_CANCELLED}
PHOTO_UPLOAD_ERRORS = {"too_large": "照片不能超过 5 MB", "corrupt": "照片上传不完整，请重新选择",
                       "empty_file": "照片是空文件"}
CASES_IMPORT_ROW = "行号"
CASES_IMPORT_REASON = "问题"
CASES_IMPORT_MORE = "另有 {n} 行有问题未列出。"

# 现场照片 and 地图选点登记
CASES_PHOTO = "现场照片"
INTAKE_PHOTO = "添加现场照片（可选，JPG/PNG，不超过 5 MB）"
INTAKE_PHOTO_CHOSEN = "已选照片：{name}"
PICK_START = "⊕ 地图选点登记"
PICK_ACTIVE = "请在地图上点击问题位置（再点此取消）"
SPOT_TITLE = "所选位置"
SPOT_WHERE = "所在区域"
SPOT_INTAKE_TITLE = "在所选位置登记诉求"
SPOT_OUTSIDE = "所选位置不在任何社区范围内，请在辖区内重新选点。"
SPOT_CANCEL = "取消选点"
SPOT_PLACE = {"community": "社区", "grid": "网格", "compound": "小区", "building": "楼栋"}
SIMILAR_TITLE = "附近 50 米内 30 天内的同类在办诉求，可能是同一件事："
SIMILAR_MERGE = "登记并合并到此件"
SIMILAR_DISTANCE = "{m} 米"
INTAKE_NO_PLACE = "请先选择问题所在的楼栋或位置"
INTAKE_MERGED = "已登记 {code} 并合并到 {target}（两件的办理记录都保留）"

# 登记新诉求 on /cases/
CASES_NEW = "登记新诉求"
CASES_INTAKE_TITLE = "登记新诉求（如 12345 转办、来电来访）"
CASES_INTAKE_BUILDING = "输入小区或楼栋名称查找，如：锦阳御园 3幢"
# every dropdown's own words (Dash's defaults are English)
DROPDOWN_LABELS = {"select_all": "全选", "deselect_all": "全不选", "selected_count": "已选 {num_selected} 项",
                   "search": "搜索", "clear_search": "清除搜索", "clear_selection": "清除", "no_options_found": "没有匹配的选项"}

# 微心愿 (/wishes/)
NAV_WISHES = "微心愿"
WISHES_TITLE = "微心愿"
WISHES_STATUS = "状态"
WISHES_COUNT = "共 {n} 个"
WISHES_NEW = "发布微心愿"
WISHES_NEW_TITLE = "心愿内容，如：帮独居老人换楼道灯泡"
WISHES_NEW_DESCRIPTION = "补充说明（可选）"
WISHES_NEW_WISHER = "心愿人姓名（可选）"
WISHES_PUBLISH = "发布"
WISHES_PUBLISHED = "已发布 {code}，等待志愿者或报到单位认领"
WISHES_PICK = "在表格中点选一个微心愿查看详情、认领或标记完成。"
WISHES_NONE = "没有符合条件的微心愿"
WISHES_CLAIMANT = "认领的志愿者姓名或报到单位名称"
WISHES_CLOSED = "该微心愿已结束。"
WISHES_DONE = "已{action}"
WISH_COLUMNS = {"code": "编号", "published": "发布时间", "title": "心愿", "place": "小区", "status": "状态",
                "claimant": "认领方", "claimed": "认领时间", "completed": "完成时间"}
WISH_DETAIL_FIELDS = {"code": "编号", "place": "小区", "wisher": "心愿人", "phone": "电话", "published": "发布",
                      "claimant": "认领方", "claimed": "认领", "completed": "完成", "note": "备注"}
WISH_CLAIMANT = "{claimant}（{kind}）"
# AG Grid's pager and empty-table words
GRID_LOCALE = {"page": "第", "to": "至", "of": "共", "more": "更多", "pageSizeSelectorLabel": "每页",
               "firstPage": "首页", "previousPage": "上一页", "nextPage": "下一页", "lastPage": "末页"}

# --- Import of real data (issue 7): the admin page /admin/import/ ---
IMPORT_TITLE = "数据导入"
IMPORT_NAV = "数据导入"
IMPORT_STEP_FILE = "① 选择文件"
IMPORT_DROP = "拖入文件，或点击选择"
IMPORT_FORMATS = "支持：Shapefile（打包为 .zip，含 .cpg 时按其编码，否则按 UTF-8/GBK）、GeoJSON、GeoPackage、KML、" \
                 "OpenStreetMap（.osm.pbf / .osm）、CSV / Excel（含经度、纬度列）。单个文件不超过 {limit} MB。"
IMPORT_FILE_INFO = "{name}：{fmt}，{rows} 条要素{encoding}{crs}"
IMPORT_FILE_ENCODING = "，属性编码 {encoding}"
IMPORT_FILE_CRS = "，声明坐标系 {crs}"
IMPORT_FILE_NO_CRS = "，未声明坐标系（请在下方选择）"
IMPORT_STEP_OPTIONS = "② 导入为"
IMPORT_KIND = "图层"
IMPORT_KINDS = {"grids": "网格", "compounds": "小区", "buildings": "楼栋", "communities": "社区",
                "service-points": "服务点位", "posts": "志愿岗位", "roads": "道路（步行路网）"}
IMPORT_CRS = "坐标系"
IMPORT_CRS_OPTIONS = {"": "按文件声明", "EPSG:4326": "WGS-84（GPS）", "EPSG:4490": "CGCS2000（天地图）",
                      "gcj02": "GCJ-02（高德、腾讯）", "bd09": "BD-09（百度）"}
IMPORT_CRS_ASK = "此文件没有声明坐标系：请选择坐标来源（从高德地图复制的坐标选 GCJ-02，百度选 BD-09）。"
IMPORT_STREET = "所属街道编码（9 位，导入社区或整条街道时）"
IMPORT_STREET_NAME = "新街道名称（街道不存在时）"
IMPORT_STEP_MAPPING = "③ 字段对应"
IMPORT_MAPPING_HINT = "为每个字段选择文件中的列；不选则留空。"
IMPORT_MAPPING_NONE = "（不导入）"
IMPORT_MAPPING_OSM = "OpenStreetMap 文件按标签自动对应（见 docs/import.md）。"
IMPORT_CONSTANT = "固定值：{value}"
IMPORT_FIELDS = {"source_id": "源编号（重复导入时据此更新）", "name": "名称", "floors": "层数", "units": "单元数",
                 "households": "户数", "residents": "人口", "elderly": "60岁以上老人", "party_members": "党员",
                 "built_year": "建成年份", "era": "年代", "leader_name": "网格长", "leader_phone": "网格长电话",
                 "kind": "道路等级", "service_type": "服务类型", "address": "地址", "hours": "开放时间",
                 "phone": "电话", "capacity": "容量", "is_public": "是否公开", "post_type": "岗位类型",
                 "slots_required": "需要人数", "schedule": "服务时间"}
IMPORT_PREVIEW = "预览（不写入）"
IMPORT_COMMIT = "确认导入"
IMPORT_READING = "正在读取并检查文件…"
IMPORT_WRITING = "正在导入（一个事务，失败则全部不写入）…"
IMPORT_STEP_PREVIEW = "④ 预览"
IMPORT_SUMMARY = "读取 {read} 条：新增 {new}，更新 {updated}，不变 {unchanged}，拒绝 {rejected}（已修复 {repaired}，多部件 {multipart}）"
IMPORT_LEGEND = (("new", "新增"), ("updated", "更新"), ("rejected", "拒绝"))
IMPORT_PROBLEMS = "问题清单（前 {shown} 条，共 {total} 条）"
IMPORT_PROBLEM_LINE = "{where}：{reason}"
IMPORT_PROBLEM_DETAIL = "（{detail}）"
IMPORT_NO_PROBLEMS = "没有发现问题。"
IMPORT_ROW = "第 {row} 行"
IMPORT_FEATURE = "编号 {id}"
IMPORT_REASONS = {"repaired": "几何无效，已自动修复", "empty": "空几何，已跳过", "wrong_type": "几何类型不符，已拒绝",
                  "duplicate": "重复要素，已跳过", "out_of_range": "坐标超出经纬度范围", "swapped": "经纬度填反",
                  "unknown_type": "类型不在目录中", "outside": "不在任何上级区域内", "far_outside": "远离本街道（疑似坐标错误）",
                  "moved": "上级区域已变化，请先核对", "degenerate": "形状过窄或退化（如在数据边缘被裁切），已拒绝",
                  "too_long": "内容超过字段长度，已拒绝", "not_number": "应为数字，已拒绝",
                  "number_range": "数字超出允许范围，已拒绝", "bad_text": "含有无法保存的字符（如空字符、控制字符），已拒绝"}
IMPORT_DONE = "导入完成：新增 {new}，更新 {updated}。地图、面板和覆盖分析已使用新数据。"
IMPORT_REATTACHED = "{n} 个小区已按面积重叠最多归入新的网格。"
IMPORT_PREVIEW_FIRST = "请先预览，确认无误后再导入。"
IMPORT_NO_FILE = "请先选择文件。"
IMPORT_DB_REFUSED = "数据库拒绝了这次导入，没有写入任何数据，请联系管理员。"
IMPORT_ERROR_GENERIC = "文件无法导入，没有写入任何数据。"
# --- issue 14: refusals of an uploaded sheet or archive (workflow/files.py) and of its commit (db/batches.py,
# db/importer.py), on the case list and the import page alike ---
FILE_REFUSALS = {
    "zip_members": "压缩包内文件过多（{count} 个，上限 {limit} 个）",
    "zip_path": "压缩包内含有越界路径（{member}），出于安全原因拒绝",
    "zip_bomb": "文件解压后异常巨大（疑似压缩炸弹），出于安全原因拒绝",
    "zip_member_size": "文件解压后过大（其中一项 {size_mb} MB，上限 {limit_mb} MB），出于安全原因拒绝",
    "zip_total_size": "文件解压后过大（共 {size_mb} MB，上限 {limit_mb} MB），出于安全原因拒绝",
    "xlsx_unreadable": "无法读取 Excel 文件（{error}），请确认是 .xlsx 格式且未损坏",
    "sheet_structure": "表格文件的结构异常（{member}），疑似恶意文件，出于安全原因拒绝",
    "sheet_dimension": "表格声明的范围过大（{rows} 行、{columns} 列），一次最多导入 {limit} 行",
    "sheet_strings": "表格中的文字条目过多（上限 {limit} 条），请分批导入",
    "too_many_rows": "一次最多导入 {limit} 行",
    "too_many_columns": "第 {row} 行超过 {limit} 列，请删去多余的列",
    "too_many_cells": "表格中填写的单元格超过 {limit} 个，请分批导入",
    "cell_too_long": "单元格 {cell} 超过 {limit} 字",
    "sheet_string_too_long": "表格中有单元格超过 {limit} 字",
    "csv_encoding": "CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码",
    "csv_format": "CSV 文件格式有误：{error}",
    "sheet_too_big": "文件超过 {mb} MB",
    "sheet_type": "只支持 .xlsx 或 .csv 文件",
    "sheet_empty": "文件是空的",
    "upload_used": "这份文件已经导入过（或正在导入），没有重复写入",
    "preview_changed": "检查结果与预览不同（预览时可导入 {before} 行，现在 {now} 行），没有写入任何数据，请重新预览",
}
# real data never goes into the demo: the import page and the drawn boundaries say how the demo ends
IMPORT_INTO_DEMO = ("数据库里是演示数据，真实数据不能与演示数据混在一起。请先在服务器上运行 flask --app app clear-demo "
                    "清除演示数据（演示账号随之停用），再导入。")
IMPORT_ERRORS = {
    "demo_data": IMPORT_INTO_DEMO,
    "too_large": "文件过大（{size_mb} MB），上限 {limit_mb} MB。",
    "too_large_client": "文件超过 {limit_mb} MB，网页上传不了；请分批导出，或由管理员用命令行导入。没有写入任何数据。",
    "empty_file": "文件是空的，或没有任何要素。",
    "corrupt": "文件已损坏或不完整，无法读取。没有写入任何数据。",
    **FILE_REFUSALS,
    "encoding": "文字编码与声明不符（例如 .cpg 写 UTF-8，实际是 GBK）。请修正 .cpg 或删除后重试。",
    "format": "不支持的文件类型 {suffix}。",
    "no_geometry": "文件中没有带几何的图层。",
    "zip_empty": "压缩包中没有 .shp、.geojson、.gpkg 或 .kml 文件。",
    "zip_many": "压缩包中有多个数据集（{found}），请每次只打包一个。",
    "shp_parts": "Shapefile 缺少 {part} 文件，请连同 .shx、.dbf、.prj、.cpg 一起打包。",
    "no_lonlat": "表格中找不到经度、纬度列（现有列：{columns}）。",
    "bad_crs": "无法识别的坐标系：{value}。",
    "no_crs": "此文件没有声明坐标系：请在“坐标系”中选择坐标来源后再预览。",
    "no_crs_projected": "此文件没有声明坐标系，而且数值不是经纬度（像是投影坐标），请提供带 .prj 的文件。",
    "crs_conflict": "文件声明的坐标系是 {declared}，不能再按 {chosen} 处理。",
    "not_lonlat": "坐标数值不是经纬度，请选择正确的坐标系或提供带 .prj 的文件。",
    "swapped": "经度、纬度看起来填反了（经度列里是纬度），请核对表格后重试。",
    "bad_kind": "未知的图层类型。",
    "no_layer": "文件中没有图层 {layer}。",
    "bad_mapping": "字段对应有误：{fields}。",
    "mapping_column": "对应的列在文件中不存在：{columns}。",
    "osm_kind": "OpenStreetMap 文件只能导入为楼栋、小区、道路或服务点位；整条街道（含社区）请用命令 "
                "flask --app app import-osm 导入。",
    "need_type": "请为“{field}”选择一列，或选择一个固定值。",
    "codes_full": "上级区域 {prefix} 下的编码已用完。",
    "bad_street": "街道编码必须是 9 位数字。",
    "no_street": "数据库里还没有街道：请先导入社区并填写街道编码。",
}
IMPORT_STEP_EXPORT = "导出图层"
IMPORT_EXPORT_LAYERS = {"streets": "街道", "communities": "社区", "grids": "网格", "compounds": "小区",
                        "buildings": "楼栋", "roads": "道路", "service-points": "服务点位", "posts": "志愿岗位"}
IMPORT_EXPORT = "下载"

# --- issue 6: walking coverage and the planner (/planning) ---
WALK_COVERAGE_SECTION = "养老服务步行覆盖"
WALK_COVERAGE_LINE = "{type}（步行 {radius} 米≈{minutes} 分钟）：老人覆盖 {elderly}，户数覆盖 {households}，缺口 {gap} 户"
WALK_FALLBACK_NOTE = "本街道暂无道路数据，按直线距离×{factor} 估算步行距离"
PLANNING_TITLE = "资源下沉规划"
PLANNING_NAV = "资源下沉规划"
PLANNING_STREET = "街道"
PLANNING_TYPE = "服务类型"
PLANNING_OBJECTIVE = "目标"
PLANNING_OBJECTIVES = {"mclp": "标准半径内覆盖最多（保留现有点位）", "pmedian": "总步行距离最短"}
PLANNING_WEIGHT = "按谁计算"
PLANNING_WEIGHTS = {"elderly": "60岁以上老人", "residents": "居民", "households": "户数"}
PLANNING_K = "新增点位数"
PLANNING_RUN = "求最优新址"
PLANNING_CANCEL = "取消"
PLANNING_RESET = "清除方案"
PLANNING_CLICK_MODE = "点击地图"
PLANNING_CLICK_MODES = {"whatif": "试加/移除点位（推演）", "candidate": "编辑候选点"}
PLANNING_CANDIDATE_KIND = "候选点类型"
PLANNING_COVERAGE_HEAD = "{type}：步行 {radius} 米（约 {minutes} 分钟）内的覆盖"
PLANNING_METHOD_NOTE = {"walking": "按道路网络步行距离计算", "straight_line_detour": "本街道暂无道路数据，按直线距离×绕行系数估算"}
PLANNING_BEFORE = "现状"
PLANNING_AFTER = "方案"
PLANNING_ROWS = {"elderly": "覆盖老人", "households": "覆盖户数", "residents": "覆盖居民"}
PLANNING_NEW = "新覆盖"
PLANNING_NEW_LINE = "新覆盖 {households:,} 户、{elderly:,} 位老人"
PLANNING_SITES_HEAD = "新增点位"
PLANNING_SITE_COLUMNS = ("序号", "名称", "类型", "经度", "纬度")
PLANNING_REMOVED = "移除现有点位：{names}"
PLANNING_SOLVER = "求解：{status}，最优性差距 {gap}，用时 {seconds} 秒，候选 {n} 处"
PLANNING_MANUAL = "手动推演（点击地图增删点位）"
PLANNING_EMPTY = "选择服务类型和新增点位数，点“求最优新址”；或直接点击地图试加点位。"
PLANNING_SCENARIO_NAME = "方案名称"
PLANNING_SAVE = "保存方案"
PLANNING_SAVED = "已保存方案“{name}”"
PLANNING_DELETE = "删除方案 A"
PLANNING_DELETE_CONFIRM = "删除所选的方案 A？删除后无法恢复。"
PLANNING_DELETED = "已删除方案“{name}”"
PLANNING_COMPARE = "方案比较"
PLANNING_COMPARE_PICK = "选择两个已保存的方案进行比较"
PLANNING_COMPARE_ROWS = {"service_type": "服务类型", "objective": "目标", "added": "新增点位", "sites": "新增点位名称",
                         "removed": "移除点位", "elderly": "老人覆盖率", "households": "户数覆盖率",
                         "new_households": "新覆盖户数", "new_elderly": "新覆盖老人", "saved": "保存人/时间"}
PLANNING_PRINT = "打印比较表"
PLANNING_GAPS_HEAD = "缺口最大的小区（按老人、户数排序）"
PLANNING_GAP_COLUMNS = ("小区", "未覆盖楼栋", "户数", "60岁以上", "最远步行(米)")
PLANNING_CAPACITY = "容量（两步移动搜索法）：每百位老人可达 {mean} 个座位/床位，低于 {min} 个的老人 {short:,} 位"
PLANNING_NETWORK = "路网：{components} 个连通片，{detached} 个节点不与主路网相连，{off} 栋楼只连到孤立路段"
PLANNING_STANDARDS = "覆盖标准（管理员可修改）"
PLANNING_STD_RADIUS = "{type}半径（米）"
PLANNING_STD_SPEED = "步行速度（米/分）"
PLANNING_STD_ELDERLY_SPEED = "老人步行速度（米/分）"
PLANNING_STD_DETOUR = "无路网时绕行系数"
PLANNING_STD_SEATS = "每百位老人最少座位/床位"
PLANNING_STD_SAVE = "保存标准"
PLANNING_STD_SAVED = "标准已保存，覆盖结果已按新标准重新计算"
PLANNING_STD_ADMIN_ONLY = "仅管理员可修改覆盖标准"
PLANNING_STD_SOURCE = "默认值依据 GB 50180-2018《城市居住区规划设计标准》5/10/15 分钟生活圈（详见 docs/standards.md）"
PLANNING_CANDIDATE_ADDED = "已新增候选点“{name}”"
PLANNING_CANDIDATE_REMOVED = "已删除候选点“{name}”"
PLANNING_ERRORS = {
    "no_candidates": "本街道还没有候选点：请先在“编辑候选点”模式下点击地图添加。",
    "k_too_large": "新增点位数多于候选点数量，请减少新增点位数或先添加候选点。",
    "k_too_small": "新增点位数至少为 1。",
    "bad_type": "未知的服务类型。",
    "bad_objective": "未知的目标。",
    "bad_weight": "未知的计算对象。",
    "bad_street": "未知的街道。",
    "bad_kind": "未知的候选点类型。",
    "outside": "候选点必须在本街道范围内。",
    "bad_name": "请填写方案名称（1–100 字）。",
    "name_taken": "已有同名方案，请换一个名称。",
    "no_result": "请先求解或推演一个方案再保存。",
    "not_found": "请先在“方案 A”中选择要删除的方案。",
    "not_yours": "只能删除自己保存的方案；本街道的街道干部和管理员可以删除本街道的任何方案。",
    "not_your_street": "只能为本人所在的街道保存规划方案。",
    "candidate_refused": "只有本街道的街道干部和管理员可以编辑候选点",
    "no_candidate": "该候选点已不存在，请刷新页面后再试。",
    "site_outside": "新增点位必须在本街道范围内。",
    "too_many_sites": "一个方案的新增点位太多，请先重置方案。",
}
PLANNING_STD_ERROR = "标准数值不合理：{field}"
PLANNING_PEOPLE = "人员下沉"
PEOPLE_MINUTES = "志愿者步行可达（分钟）"
PEOPLE_RUN = "匹配志愿者"
PEOPLE_SUMMARY = "缺员岗位 {short} 个、空缺 {open} 人次；{limit:g} 分钟步行范围内可补 {matched} 人次"
PEOPLE_MATCH_COLUMNS = ("岗位", "岗位类型", "建议志愿者", "身份", "步行(分钟)")
PEOPLE_DESERTS = "志愿者荒漠（{limit:g} 分钟内无志愿者居住的岗位）"
PEOPLE_NO_DESERTS = "没有志愿者荒漠：每个岗位附近都有志愿者居住。"
PEOPLE_DESERT_COLUMNS = ("岗位", "岗位类型", "缺员", "最近志愿者(分钟)")
PEOPLE_GRIDS = "网格负荷（常见标准：每网格 300–500 户）"
PEOPLE_GRID_COLUMNS = ("网格", "网格长", "户数", "在办诉求", "负荷")
PEOPLE_LOAD = {"over": "超负荷", "under": "偏少", "ok": "适中"}
PEOPLE_BAD_MINUTES = "请填写 1–60 之间的分钟数。"
WALK_DISTANCE = "步行 {m} 米"
GAP_LEGEND = ("步行达标", "超出，2倍内", "超出2倍以上")
PLANNING_PRINT_TITLE = "{street} · 资源下沉规划方案 · {date}"
PLANNING_LEGEND = {"swatch within": "标准内", "swatch near": "超出，2倍内", "swatch far": "超出2倍", "swatch none": "不可达",
                   "pin existing": "现有点位", "pin candidate": "候选点", "pin added": "方案新增",
                   "pin removed": "方案移除"}  # CSS class of the mark → its words
PLANNING_SCENARIO_A = "方案 A"
PLANNING_SCENARIO_B = "方案 B"
PLANNING_KPIS = {"elderly": "老人覆盖率", "households": "户数覆盖率", "gap_elderly": "未覆盖老人",
                 "straight_line": "直线距离口径"}
PLANNING_COUNT_SHARE = "{n:,}（{share}）"
PLANNING_OBJECTIVE_MANUAL = "手动推演"
PLANNING_EDITED = "（手动调整）"

# --- issue 12: counts estimated from footprints (估算, docs/estimates.md) ---
ESTIMATED = "估算"
ESTIMATED_TITLE = "文件中没有户数和人口：按楼栋占地面积×层数估算，见 docs/estimates.md"
ESTIMATED_NOTE = "户数、人口和老人数含估算：文件中没有这些数的楼栋按占地面积×层数估算。"
# ---- issue 12, part "metric": empty states of a street just imported (no buildings, no points, no roads), and the
# demo badge shown only over the generated demo
NO_BUILDINGS_YET = "暂无楼栋数据：导入楼栋后，这里显示人口、覆盖和缺口。"
WALK_COVERAGE_NO_BUILDINGS = "{type}：暂无楼栋，尚无覆盖可算"
PLANNING_NO_BUILDINGS = "本街道还没有楼栋数据：导入楼栋后即可计算步行覆盖、求最优新址。"
PLANNING_ERRORS["no_buildings"] = "本街道还没有楼栋：请先导入楼栋，再规划新址。"
# --- issue 12, the importer on real files: notices beside the preview, the coordinate question with two readings ---
IMPORT_NOTICES = {
    "id_not_unique": "“{column}”列有重复值（{rows} 行，{distinct} 个不同值），未用作源编号：各行按形状识别。",
    "id_missing": "“{column}”列有 {empty} 行（共 {rows} 行）为空：这些行按形状识别。",
    "crs_open": "文件没有写明坐标系，已按 WGS-84 读取；若坐标来自高德/腾讯请选 GCJ-02，来自百度请选 BD-09。",
    "grid_gap": "{name}（{code}）有 {m2:,} 平方米（{share:.1%}）不在任何网格内：在那里登记的诉求将归入最近的网格。",
}
IMPORT_CRS_ASK_CHINA = "此文件没有声明坐标系，而它位于中国境内：坐标可能是 WGS-84（GPS、天地图），也可能是 " \
                       "GCJ-02（高德、腾讯）或 BD-09（百度），相差约 500 米。地图上同时画出两种读法，请对照已有边界，" \
                       "在“坐标系”中选择吻合的一种，再预览。"
IMPORT_CRS_READINGS = (("wgs84", "按 WGS-84 读"), ("gcj02", "按 GCJ-02 换算"))
# --- issue 12: import batches that can be undone, and the guided setup of a street (/admin/import/) ---
SETUP_TITLE = "街道建设向导"
SETUP_STREET = "街道"
SETUP_STREET_OPTION = "{name}（{code}）"
SETUP_NO_STREETS = "（还没有街道）"
SETUP_NO_STREET = "数据库里还没有街道。请在右侧地图上画出街道边界并填写 9 位街道编码和名称，" \
                  "或用命令行从 OpenStreetMap 文件建立整个街道。"
SETUP_ITEMS = {"boundary": "街道边界", "communities": "社区", "grids": "网格", "compounds": "小区", "buildings": "楼栋",
               "roads": "道路（步行路网）", "service_points": "服务点位", "posts": "志愿岗位", "volunteers": "志愿者（人员）"}
SETUP_COUNT = "{n}"
SETUP_HAS = "已有"
SETUP_LACKS = "缺少"
SETUP_NEXT = "下一步："
SETUP_DONE = "各项数据齐全。"
SETUP_STEPS = {
    "boundary": "在右侧地图上画出街道边界，或导入社区文件并填写街道编码。",
    "communities": "导入社区边界（图层选“社区”），或在地图上画出社区并保存为本街道的社区。",
    "grids": "导入网格边界（网格化系统导出的 Shapefile，图层选“网格”）。",
    "compounds": "导入小区边界（图层选“小区”；OpenStreetMap 文件取 landuse=residential）。",
    "buildings": "导入楼栋轮廓（图层选“楼栋”；可带层数、户数）。",
    "roads": "导入道路（图层选“道路”），或 flask --app app import-osm 文件 --street 编码。",
    "service_points": "导入服务点位（Excel 或 CSV，带经纬度；图层选“服务点位”）。",
    "posts": "导入志愿岗位（图层选“志愿岗位”，每个岗位须在某个小区内）。",
    "volunteers": "登记志愿者（双报到、认领岗位）后，这里会显示人数。",
}
SETUP_COMMAND = "命令行：{command}"
SETUP_COMMANDS = {"boundary": "flask --app app import-osm 文件 --street 编码 --street-name 名称",
                  "roads": "flask --app app import 文件 --as roads"}
SETUP_WARNINGS_TITLE = "需要注意"
SETUP_WARNINGS = {
    "generated_boundary": "街道边界是导入时按数据外轮廓生成的，请在地图上核对或重画。",
    "uncovered": "街道约 {share:.0%} 的面积不在任何网格内。",
    "communities_without_grids": "{count} 个社区还没有网格：{names}。",
    "outside_compounds": "{count} 栋楼（{share:.0%}）不在任何真实小区内，只归入了导入时生成的楼栋分组。",
    "empty_compounds": "{count} 个小区没有楼栋。",
}
SETUP_NAME_SEP = "、"
SETUP_DRAW_TITLE = "画出或修正边界"
SETUP_DRAW_HINT = "用地图左上角的多边形工具逐点点击画出边界，点击第一个点闭合；可用编辑工具调整，再选择保存方式。"
SETUP_DRAW_AS = "保存为"
SETUP_DRAW_TARGETS = {"new_street": "新街道的边界", "street": "替换所选街道的边界", "new_community": "所选街道的新社区",
                      "community": "替换某个社区的边界"}
SETUP_DRAW_CODE = "街道编码（9 位数字）"
SETUP_DRAW_NAME = "名称"
SETUP_DRAW_COMMUNITY = "要替换边界的社区"
SETUP_DRAW_SAVE = "保存边界"
SETUP_DRAW_STATUS = "已画好一个多边形，面积约 {km2:.2f} 平方公里。"
SETUP_DRAW_SAVED = "已保存 {name}（{code}）的边界，可在下方导入记录中撤销。"
SETUP_DRAW_ADMIN_ONLY = "只有管理员可以保存边界。"
SETUP_DRAW_ERRORS = {
    "demo_data": IMPORT_INTO_DEMO,
    "drawn_none": "请先在地图上画一个多边形。",
    "drawn_many": "地图上有 {count} 个多边形，请只保留一个。",
    "drawn_invalid": "多边形无效（边线自相交等），请重画。",
    "drawn_range": "多边形超出了经度 ±180°、纬度 ±90° 的范围。",
    "drawn_large": "多边形面积约 {km2} 平方公里，超过了 {limit} 平方公里，不像一个街道。",
    "drawn_small": "多边形面积只有约 {m2} 平方米，请重画。",
    "drawn_name": "请填写名称（1–100 字）。",
    "drawn_taken": "编码 {code} 已存在：请在上方选择该街道，再选“替换所选街道的边界”。",
    "drawn_no_street": "请先在上方选择街道。",
    "drawn_no_community": "请选择本街道的一个社区。",
    "drawn_target": "请选择保存方式。",
    "bad_street": "街道编码必须是 9 位数字。",
    "codes_full": "上级区域 {prefix} 下的编码已用完。",
}
BATCHES_TITLE = "导入记录（可撤销）"
BATCHES_EMPTY = "还没有导入记录。"
BATCHES_COLUMNS = ("编号", "时间", "图层", "文件", "变更", "操作人", "状态", "")
BATCHES_KINDS = {**IMPORT_KINDS, "boundary": "手绘边界", "osm": "OpenStreetMap 整街道"}
BATCHES_COUNTS = "新增 {new}，更新 {updated}"
BATCHES_DELETED = "，移除 {deleted}"
BATCHES_APPLIED = "已生效"
BATCHES_ROLLED_BACK = "已于 {at} 由 {by} 撤销"
BATCHES_UNDO = "撤销"
BATCHES_CONFIRM = "撤销第 {id} 批导入（{kind}，{file}）？这一批新增的数据将被删除，更新过的数据恢复为导入前的样子。"
BATCHES_DONE = "已撤销第 {batch} 批：删除 {removed} 条，恢复 {restored} 条。地图和面板已使用撤销后的数据。"
BATCHES_ERRORS = {
    "no_batch": "没有第 {batch} 批导入。",
    "already_rolled_back": "第 {batch} 批已于 {at} 由 {by} 撤销过，不能再次撤销。",
    "later_batch": "第 {batch} 批之后的导入（{later}）又改动了同样的数据：请先撤销第 {first} 批。",
    "in_use": "不能撤销第 {batch} 批：{what}。请先处理这些数据。",
}
BATCHES_DEPENDS = {"cases": "{count} 件诉求登记在这一批新建的楼栋或区域上（{examples}）",
                   "wishes": "{count} 个微心愿登记在这一批新建的楼栋或区域上（{examples}）",
                   "volunteers": "{count} 名志愿者住在这一批新建的楼栋里",
                   "assignments": "{count} 条认岗或服务记录属于这一批新建的岗位",
                   "buildings": "{count} 栋后来导入的楼栋位于这一批新建的区域内（{examples}）",
                   "service_points": "{count} 个服务点位位于这一批新建的区域内（{examples}）",
                   "posts": "{count} 个志愿岗位位于这一批新建的区域内（{examples}）",
                   "areas": "{count} 个下级区域属于这一批新建的区域（{examples}）"}
# Leaflet.draw's own words on the setup map (merged into L.drawLocal by assets/import/setup.js)
SETUP_DRAW_LOCAL = {
    "draw": {
        "toolbar": {"actions": {"title": "取消绘制", "text": "取消"}, "finish": {"title": "完成绘制", "text": "完成"},
                    "undo": {"title": "删除最后一个点", "text": "删除最后一点"}, "buttons": {"polygon": "画多边形"}},
        "handlers": {"polygon": {"tooltip": {"start": "点击开始画边界。", "cont": "继续点击画下一个拐点。",
                                             "end": "点击第一个点闭合边界。"}},
                     "polyline": {"error": "<strong>错误：</strong>边线不能交叉！"}},
    },
    "edit": {
        "toolbar": {"actions": {"save": {"title": "保存修改", "text": "保存"},
                                "cancel": {"title": "放弃修改", "text": "取消"},
                                "clearAll": {"title": "清除所有图形", "text": "全部清除"}},
                    "buttons": {"edit": "编辑图形", "editDisabled": "没有可编辑的图形", "remove": "删除图形",
                                "removeDisabled": "没有可删除的图形"}},
        "handlers": {"edit": {"tooltip": {"text": "拖动拐点调整边界。", "subtext": "点击“取消”放弃修改。"}},
                     "remove": {"tooltip": {"text": "点击一个图形将其删除。"}}},
    },
}

# --- issue 12: a whole street from an OpenStreetMap extract on the import page (db/onboarding.py) ---
IMPORT_KIND_OSM_STREET = "整条街道（OpenStreetMap）"
IMPORT_OSM_ONLY = "“整条街道”只能从 OpenStreetMap 文件（.osm.pbf / .osm）导入。"
IMPORT_OSM_STEPS = {"communities": "社区", "compounds": "小区", "groups": "生成的街区（无小区的楼栋）",
                    "buildings": "楼栋", "roads": "道路", "service-points": "服务点位"}
IMPORT_OSM_STEP_LINE = "{step}：读取 {read}，新增 {new}，更新 {updated}，不变 {unchanged}，拒绝 {rejected}"
IMPORT_OSM_FROM = {"outline": "街道边界：文件中没有行政边界，按楼栋分布生成（可在上方地图修正）",
                   "stored": "街道边界：沿用已有边界"}
IMPORT_OSM_FROM_BOUNDARY = "街道边界：取自文件的行政边界（{source}）"
IMPORT_OSM_CUT = "文件边缘被裁切：{kept} 个轮廓保留了范围内的部分，{cut} 个无法使用。"
IMPORT_OSM_DONE = "整条街道导入完成：新增 {new}，更新 {updated}（导入批次 {batch}，可在下方撤销）。地图、面板和覆盖分析已使用新数据。"
IMPORT_OSM_NOTHING = "没有变化：数据库中的这条街道已与文件一致。"
IMPORT_ADMIN_ONLY = "只有管理员可以导入数据。"

# --- issue 13: what db/ and workflow/ refuse, by kind (workflow.refusal.Refused, Problem); words() says it ---
REFUSALS = {
    # a case (db/cases.py, workflow/lifecycle.py)
    "unknown_category": "类别「{category}」不存在",
    "unknown_source": "来源「{source}」不存在",
    "no_category": "请选择诉求类别",
    "no_description": "请填写问题描述",
    "description_too_long": "问题描述不能超过 {limit} 字",
    "bad_phone": "联系电话格式不正确：请填写 11 位手机号，或带区号的座机号（如 0577-65812345）",
    "reporter_too_long": "反映人姓名不能超过 {limit} 字",
    "note_too_long": "备注不能超过 {limit} 字",
    "assignee_too_long": "承办部门或人员名称不能超过 {limit} 字",
    "form_token": "表单已失效，请刷新页面后重新填写",
    "form_token_used": "这张表单已经提交过，请刷新页面后重新填写",
    "bad_position": "位置坐标无效",
    "outside_communities": "位置不在任何社区范围内，请在辖区内选点",
    "outside_scope": "该位置不在您负责的区域内",
    "case_not_found": "诉求 {code} 不存在或不在您的负责范围内",
    "photo_not_found": "照片不存在",
    "read_only": "大屏为只读",
    "case_stale_version": "诉求 {code} 已被他人修改（版本 {version}），请刷新后再操作",
    "case_stale": "诉求 {code} 已被他人修改，请刷新后再操作",
    "dispatch_needs_assignee": "派单需要指定承办部门或人员",
    "merge_target": "请选择一件在办的诉求作为合并目标",
    "unknown_action": "未知操作：{action}",
    "case_action_refused": "「{status}」状态的诉求不能{action}",
    "visit_needs_satisfaction": "回访需要记录满意度：满意、基本满意或不满意",
    "top_of_ladder": "已在街道层级，不能再上报",
    # a case sheet (workflow/case_table.py, the import check in db/cases.py)
    "upload_cancelled": CASES_IMPORT_CANCELLED,
    **FILE_REFUSALS,
    "sheet_columns": "缺少必需的列：{missing}（文件中的列：{found}）",
    "sheet_no_rows": "文件中没有数据行",
    "missing_value": "缺少{column}",
    "bad_date": "登记时间「{raw}」不是有效日期（如 2026-11-20 09:30）",
    "future_date": "登记时间 {when:%Y-%m-%d %H:%M} 晚于现在",
    "early_date": "登记时间 {when:%Y-%m-%d} 早于 2000 年",
    "not_a_number": "{column}「{raw}」不是数字",
    "out_of_range": "{column} {raw} 超出范围",
    "swapped_lonlat": "经度、纬度疑似填反",
    "sheet_unknown_source": "来源「{source}」不存在（可用：{choices}）",
    "sheet_description_too_long": "描述超过 {limit} 字",
    "code_taken": "编号 {code} 已存在",
    "repeat_row": "与第 {row} 行重复",
    "sheet_row_refused": "第 {row} 行：{reason}",
    # an intake photo (workflow/photos.py)
    "photo_too_big": "照片不能超过 {mb} MB",
    "photo_empty": "照片是空文件",
    "photo_format": "只能上传 JPG、PNG 等常见格式的图片",
    "photo_pixels": "照片像素过大，请压缩后再上传",
    "photo_unreadable": "文件不是可识别的图片，请上传 JPG 或 PNG 照片",
    "photo_corrupt": "图片已损坏或不完整，请重新拍摄或选择",
    # a 微心愿 (db/wishes.py, workflow/wishes.py)
    "no_wish_title": "请填写心愿内容",
    "wish_title_too_long": "心愿内容不能超过 {limit} 字",
    "wish_description_too_long": "补充说明不能超过 {limit} 字",
    "wisher_too_long": "心愿人姓名不能超过 {limit} 字",
    "wish_building": "请选择心愿人所在的楼栋",
    "wish_outside_scope": "该楼栋不在您负责的区域内",
    "wish_not_found": "微心愿 {code} 不存在或不在您的负责范围内",
    "wish_stale": "微心愿 {code} 已被他人修改，请刷新后再操作",
    "wish_action_refused": "「{status}」的微心愿不能{action}",
    "claim_needs_claimant": "认领需要填写认领的志愿者或报到单位",
    "claimant_too_long": "认领人名称过长",
    "claimant_kind": "请选择认领方：志愿者或报到单位",
    # 办理时限 an admin typed (db/rules.py); `field` is itself a kind below
    "unknown_level": "层级「{level}」不存在",
    "rules_empty": "{field}：请填写",
    "rules_not_number": "{field}：「{value}」不是数字",
    "rules_range": "{field}：应大于 {low:g} 且不超过 {high:g}",
    "rules_days": "{category}·{level}时限（天）",
    "rules_yellow": RULES_YELLOW,
    # text no database can keep (workflow/textcheck.py): NUL, control characters, half an emoji
    "bad_characters": "{field}中含有无法识别的字符（如空字符或残缺的表情符号），请删除后重新输入",
}
# the fields a refusal names by key (workflow/textcheck.py's callers)
FIELD_WORDS = {"description": "问题描述", "reporter": "反映人", "phone": "联系电话", "code": "编号", "note": "备注",
               "assignee": "承办部门或人员", "wish_title": "心愿内容", "wish_description": "补充说明", "wisher": "心愿人",
               "claimant": "认领人"}
REFUSAL_SEP = "；"
LIST_SEP = "、"
LIST_EMPTY = "无"


# the actions on a case (workflow.lifecycle.ACTIONS and the trail's own) and on a wish (workflow.wishes.ACTIONS)
CASE_ACTIONS = {"accept": "受理", "dispatch": "派单", "start": "开始处置", "resolve": "办结", "visit": "回访",
                "close": "关闭", "return": "退回", "merge": "合并为重复", "escalate": "上报上一级",
                "create": "登记", "auto_escalate": "超时自动上报", "reopen": "回访不满意，重新处置",
                "absorb": "合并重复件"}
WISH_ACTIONS = {"claim": "认领", "complete": "完成", "release": "放弃认领", "withdraw": "撤回"}
# parameters a refusal carries as keys, said in words
REFUSAL_PARAM_WORDS = {"case_action_refused": {"action": CASE_ACTIONS},
                       "wish_action_refused": {"action": WISH_ACTIONS},
                       "bad_characters": {"field": FIELD_WORDS}}


def overdue_words(start, now) -> str:
    """How long a case has been overdue, in the words of OVERDUE_SPAN (assets/jinlin.js says it the same way)."""
    hours = int((now - start).total_seconds() // 3600)
    if hours < 1:
        return OVERDUE_SPAN["less"]
    if hours < 24:
        return OVERDUE_SPAN["hours"].format(h=hours)
    return OVERDUE_SPAN["days"].format(d=hours // 24, h=hours % 24)


def words(refusal) -> str:
    """A refusal (workflow.refusal.Refused), a problem or a list of problems in Chinese, joined by 「；」."""
    problems = refusal if isinstance(refusal, (list, tuple)) else getattr(refusal, "problems", None) or (refusal,)
    return REFUSAL_SEP.join(_problem_words(p) for p in problems)


BULK_REFUSAL = "{code}：{reason}"


def refused_cases(refused) -> str:
    """[(case code, refusal), …] as one line: each code with its reason."""
    return REFUSAL_SEP.join(BULK_REFUSAL.format(code=code, reason=words(err)) for code, err in refused)


def _problem_words(problem) -> str:
    named = REFUSAL_PARAM_WORDS.get(problem.kind, {})
    params = {k: named[k].get(v, v) if k in named else v for k, v in problem.params.items()}
    return fill(REFUSALS[problem.kind], params)


def fill(template: str, params: dict) -> str:
    """A template filled with a refusal's parameters: lists read 「a、b」, nested refusals in their own words."""
    return template.format(**{k: _param_words(v) for k, v in params.items()})


def _param_words(value):
    if hasattr(value, "kind") and hasattr(value, "params"):  # a refusal or problem inside another one
        return words(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEP.join(map(str, value)) or LIST_EMPTY
    return value
