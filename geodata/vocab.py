"""The field's vocabulary: service types, post types, case categories, ladder levels and their weights."""
from __future__ import annotations

COUNTY_CODE = "330381"  # 瑞安市; demo street codes follow the 统计用区划代码 shape

SERVICE_TYPES = ("党群服务中心", "红色驿站", "爱心食堂", "日间照料中心", "百姓健身房", "共享工具柜",
                 "卫生服务站", "图书室", "儿童之家", "议事厅", "调解室")
# GB 50180-2018 life circles: 5 min ≈ 300 m for daily elderly and child services.
STANDARD_RADIUS_M = {"日间照料中心": 300, "爱心食堂": 300, "儿童之家": 300, "红色驿站": 500,
                     "共享工具柜": 300, "百姓健身房": 500, "卫生服务站": 1000, "图书室": 1000,
                     "党群服务中心": 1000, "议事厅": 1000, "调解室": 1000}
GAP_TYPES = ("日间照料中心", "爱心食堂")

POST_TYPES = ("垃圾分类岗", "便民服务岗", "环境治理岗", "兴趣辅导岗", "平安巡防岗", "文明劝导岗")
POST_SCHEDULES = ("每周六 08:00-10:00", "工作日 07:00-09:00", "每周日 09:00-11:00",
                  "工作日 18:00-20:00", "每月第一个周六 全天", "周三、周五 19:00-21:00")
VOLUNTEER_KINDS = {"小区党员": 0.4, "在职党员报到": 0.3, "下沉干部": 0.1, "居民志愿者": 0.2}
REPORT_UNITS = ("市税务局", "市人民医院", "市自然资源和规划局", "市教育局", "市供电公司", "市交通运输局",
                "市市场监督管理局", "市住房和城乡建设局", "农商银行", "市图书馆")

CASE_CATEGORIES = {"环境卫生": 0.2, "垃圾分类": 0.1, "设施维修": 0.15, "停车管理": 0.1, "违章搭建": 0.06,
                   "占道经营": 0.06, "噪音扰民": 0.07, "邻里纠纷": 0.07, "物业纠纷": 0.07, "安全隐患": 0.06,
                   "绿化养护": 0.03, "养老服务": 0.03}
CASE_SOURCES = {"网格巡查": 0.45, "居民上报": 0.3, "12345": 0.2, "微心愿": 0.05}
CASE_DESCRIPTIONS = {
    "环境卫生": ["{b}楼道堆放杂物，影响通行", "{b}旁垃圾桶满溢未及时清运", "{b}门前污水外溢有异味"],
    "垃圾分类": ["{b}附近垃圾混投，分类不到位", "{b}楼下厨余垃圾桶破损", "{b}大件垃圾长期未清运"],
    "设施维修": ["{b}楼道灯不亮", "{b}门口井盖松动", "{b}单元门禁损坏", "{b}附近路灯不亮"],
    "停车管理": ["{b}消防通道被车辆占用", "{b}楼下电动车乱停放", "{b}附近僵尸车长期占位"],
    "违章搭建": ["{b}顶楼疑似违章搭建", "{b}一楼院子私自扩建"],
    "占道经营": ["{b}外人行道流动摊贩占道", "{b}附近店铺出店经营"],
    "噪音扰民": ["{b}夜间装修噪音扰民", "{b}广场舞音响音量过大"],
    "邻里纠纷": ["{b}楼上漏水引发邻里纠纷", "{b}楼道堆物引发邻里矛盾"],
    "物业纠纷": ["{b}物业服务不到位，居民反映强烈", "{b}电梯维修费用分摊有争议"],
    "安全隐患": ["{b}楼道电动车充电存在隐患", "{b}外墙瓷砖脱落", "{b}飞线充电存在安全隐患"],
    "绿化养护": ["{b}旁树木枝叶遮挡窗户", "{b}绿地被毁种菜"],
    "养老服务": ["{b}独居老人需要助餐服务", "{b}高龄老人需要上门探访"],
    "微心愿": ["{b}独居老人希望有人帮忙换灯泡", "{b}孩子希望得到一套课外读物", "{b}老人希望学习使用智能手机"],
}
CATEGORY_DEPARTMENT = {"环境卫生": "街道环卫所", "垃圾分类": "街道环卫所", "设施维修": "物业服务中心",
                       "停车管理": "交警中队", "违章搭建": "综合行政执法中队", "占道经营": "综合行政执法中队",
                       "噪音扰民": "派出所", "邻里纠纷": "人民调解委员会", "物业纠纷": "街道物业办",
                       "安全隐患": "应急管理办", "绿化养护": "园林绿化所", "养老服务": "民政办", "微心愿": "社区党委"}
SATISFACTION = {"满意": 0.78, "基本满意": 0.17, "不满意": 0.05}

LADDER_LEVELS = ("小区", "网格", "社区", "街道")
LEVEL_DEADLINE_DAYS = {"小区": 3, "网格": 5, "社区": 7, "街道": 10}
OPEN_STATUSES = ("待受理", "已受理", "已派单", "处置中")
YELLOW_HOURS = 24  # a deadline this close turns the light yellow

# Open311 service codes for the case categories (stable, ASCII, as the GeoReport spec expects)
SERVICE_CODES = {category: f"{i:03d}" for i, category in enumerate([*CASE_CATEGORIES, "微心愿"], start=1)}

# 微心愿: small wishes of residents, claimed by a volunteer or a 报到单位 (the unit a party member reports to)
WISH_STATUSES = ("已发布", "已认领", "已完成", "已撤回")
WISH_CLAIMANT_KINDS = ("志愿者", "报到单位")
WISH_TITLES = ("帮独居老人换楼道灯泡", "为留守儿童送一套课外读物", "教老人使用智能手机挂号", "陪高龄老人去医院复诊",
               "帮残疾居民修理轮椅", "为困难家庭孩子辅导作业", "给独居老人送一台电风扇", "帮老人疏通厨房下水道",
               "为社区老人理发", "帮孤寡老人打扫卫生", "为困难家庭送一袋大米", "帮老人网上缴纳水电费")
WISHES_PER_STREET = 30

# Areas the importer draws where the files have none (geodata/onboarding.py): shown as generated, never as official
GENERATED_GROUP = "街区"  # a block of buildings that no compound (小区) holds, numbered: 街区001
GENERATED_COMMUNITY_REST = "其他区域"  # the part of a street its communities leave out
GENERATED_COMMUNITY_WHOLE = "（未分社区）"  # the one community of a street whose files have no community boundaries
