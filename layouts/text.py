"""Every Chinese UI string, in one place."""

APP_TITLE = "近邻一张图"
APP_SUBTITLE = "基层治理 · 一张图"
DEMO_BADGE = "演示数据"
NAV_MAP = "一张图"
NAV_SCREEN = "大屏"
NAV_PUBLIC = "居民服务地图"
NAV_ADMIN = "用户管理"
LOGOUT = "退出"
ALL_STREETS = "全部街道"

LEVEL = {"root": "辖区", "street": "街道", "community": "社区", "grid": "网格", "compound": "小区", "building": "楼栋"}
ERA = {"old": "老旧小区", "mid": "多层小区", "new": "高层小区", "mixed": "新老混合"}

OVERLAY_GRIDS = "网格"
OVERLAY_CASES = "在办诉求"
OVERLAY_SERVICES = "服务阵地"
OVERLAY_POSTS = "志愿岗位"
OVERLAY_GAPS = "覆盖缺口"

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
SECTION_COVERAGE = "养老服务覆盖（直线 {radius} 米）"
SECTION_CHART = "近12个月诉求（按类别）"
SECTION_CHILDREN = "下级区域"
SECTION_FACTS = "楼栋信息"
SECTION_OPEN_CASES = "本楼在办诉求"
SECTION_NEAREST = "最近的服务阵地"
SECTION_GRID_LEADERS = "网格与网格长"

OPEN_CASES = "在办"
LIGHT = {"red": "超期", "yellow": "临期", "green": "正常"}
POSTS_STAFFED = "满员"
POSTS_SHORT = "缺员"
POSTS_FILLED = "在岗 {filled}/{slots} 人"
NO_CASES = "暂无在办诉求"
NO_DATA = "暂无数据"
COVERAGE_LINE = "{type}：老人覆盖 {elderly}，户数覆盖 {households}，缺口 {gap} 户"
DISTANCE = "{m} 米"
WITHIN = "达标"
BEYOND = "超出{radius}米"
DEADLINE = "时限 {when}"
REPORTER = "反映人 {name}"

FACT_LABELS = {"floors": "层数", "units": "单元数", "households": "户数", "residents": "常住人口",
               "elderly": "60岁以上", "party_members": "党员", "built_year": "建成年份"}

LEGEND_LIGHTS = "诉求时限"
LEGEND_POSTS = "岗位"
GAP_TYPE_LABEL = "缺口类型"

DB_UNAVAILABLE = "数据库暂时不可用，正在自动重试，恢复后页面会自动刷新。"
UNEXPECTED_ERROR = "出错了，请稍后重试。如果问题持续，请联系管理员。"

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
PUBLIC_STAFF_LINK = "工作人员登录"
PUBLIC_DEMO_NOTE = "演示数据，非真实服务点"

SCREEN_TITLE = "{name} · 基层治理一张图"
SCREEN_KPI = {"open": "在办诉求", "overdue": "超期", "resolved_today": "今日办结", "response_rate": "响应率",
              "resolution_rate": "按期办结率", "satisfaction_rate": "满意率", "volunteers": "在册志愿者",
              "service_points": "服务阵地"}
SCREEN_CATEGORY = "近30天诉求类别"
SCREEN_TREND = "近30天每日诉求"
SCREEN_BOARD = "最新诉求"
SCREEN_TOURING = "正在巡览：{name}"
SCREEN_OVERVIEW = "全域总览"
SCREEN_NO_AREA = "没有可显示的区域"

ADMIN_TITLE = "用户与大屏管理"
ADMIN_USERS = "工作人员账号"
ADMIN_TOKENS = "大屏令牌"
ADMIN_NEW_USER = "新建账号"
ADMIN_USERNAME = "用户名"
ADMIN_DISPLAY_NAME = "姓名"
ADMIN_ROLE = "角色"
ADMIN_SCOPE = "负责区域编码"
ADMIN_PASSWORD = "初始密码（至少8位）"
ADMIN_CREATE = "创建"
ADMIN_DEACTIVATE = "停用所选账号"
ADMIN_ACTIVATE = "启用所选账号"
ADMIN_RESET = "重置所选账号密码"
ADMIN_NEW_PASSWORD = "新密码"
ADMIN_TOKEN_LABEL = "大屏名称（如：东山社区党群服务中心）"
ADMIN_TOKEN_CREATE = "生成令牌"
ADMIN_TOKEN_REVOKE = "吊销所选令牌"
ADMIN_TOKEN_SHOWN_ONCE = "请立即复制，令牌只显示这一次：{url}"
ADMIN_SELECT_FIRST = "请先在表格中选择一行。"
ADMIN_DONE = "已完成：{what}"
ADMIN_BACK = "返回一张图"
ROLE_LABELS = {"admin": "管理员", "street_official": "街道干部", "community_staff": "社区工作者",
               "grid_leader": "网格长", "screen": "大屏"}
ADMIN_ERRORS = {
    "username": "用户名需 3–50 位，只能包含字母、数字、点、下划线或连字符。",
    "password": "密码至少 8 位。",
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
CASES_AREA = "区域编码（留空为全部）"
CASES_STATUS = "状态"
CASES_CATEGORY = "类别"
CASES_LEVEL = "层级"
CASES_LIGHT = "红黄绿"
CASES_ASSIGNEE = "承办"
CASES_COUNT = "共 {n} 件"
CASES_EXPORT_XLSX = "导出 Excel"
CASES_EXPORT_CSV = "导出 CSV"
CASES_BULK_ASSIGNEE = "批量派单给（部门或人员）"
CASES_BULK = "批量派单所选"
CASES_BULK_DONE = "已派单 {done} 件"
CASES_BULK_REFUSED = "，未能派单 {n} 件：{reasons}"
CASES_PICK = "在表格中点选一件诉求查看详情和办理。"
CASES_TIMELINE = "办理记录"
CASES_NOTE = "办理说明（可选）"
CASES_SATISFACTION = "回访满意度"
CASES_DONE = "已{action}"
CASE_FIELDS = {"code": "编号", "created_at": "登记时间", "category": "类别", "source": "来源", "description": "描述",
               "status": "状态", "level": "层级", "deadline": "时限", "light_label": "红黄绿", "assignee": "承办",
               "reporter": "反映人"}
INTAKE_TITLE = "在此楼登记诉求"
INTAKE_CATEGORY = "类别"
INTAKE_SOURCE = "来源"
INTAKE_DESCRIPTION = "问题描述"
INTAKE_REPORTER = "反映人姓名（可选）"
INTAKE_PHONE = "联系电话（可选）"
INTAKE_SUBMIT = "登记"
INTAKE_DONE = "已登记 {code}，时限 {deadline}"

SECTION_RATES = "三率（近30天）"
RATE_LABELS = {"response_rate": "响应率", "resolution_rate": "按期办结率", "satisfaction_rate": "满意率"}
SECTION_RANKING = "网格三率排名（近30天）"
RANKING_HEAD = ("网格", "网格长", "件数", "响应", "办结", "满意")
INTAKE_SIMILAR = "；附近 50 米内还有同类在办诉求 {codes}，如重复可在诉求页合并"

# --- issue 6: walking coverage and the planner (/planning) ---
WALK_COVERAGE_SECTION = "养老服务步行覆盖"
WALK_COVERAGE_LINE = "{type}（步行 {radius} 米≈{minutes} 分钟）：老人覆盖 {elderly}，户数覆盖 {households}，缺口 {gap} 户"
WALK_FALLBACK_NOTE = "本街道暂无道路数据，按直线距离×{factor} 估算步行距离"
PLANNING_TITLE = "资源下沉规划"
PLANNING_NAV = "资源下沉规划"
PLANNING_BACK = "返回一张图"
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
PLANNING_RUNNING = "正在计算最优选址…"
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
PLANNING_ADDED_SITE = "试加点位"
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
PLANNING_CANDIDATE_REFUSED = "只有街道干部和管理员可以编辑候选点"
WALK_DISTANCE = "步行 {m} 米"
GAP_LEGEND = ("步行达标", "超出，2倍内", "超出2倍以上")
PLANNING_PRINT_TITLE = "{street} · 资源下沉规划方案 · {date}"
