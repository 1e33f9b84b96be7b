"""The demo generator's own invented words and odds: names, titles, descriptions, units, how often each thing happens.

Domain words (categories, sources, statuses …) come from workflow.vocab; only their demo weights live here.
"""
from __future__ import annotations

from workflow.vocab import CaseSource, Satisfaction, VolunteerKind

COUNTY_CODE = "330381"  # 瑞安市; demo street codes follow the 统计用区划代码 shape

POST_SCHEDULES = ("每周六 08:00-10:00", "工作日 07:00-09:00", "每周日 09:00-11:00",
                  "工作日 18:00-20:00", "每月第一个周六 全天", "周三、周五 19:00-21:00")
VOLUNTEER_KIND_WEIGHTS = {VolunteerKind.RESIDENT_MEMBER.value: 0.4, VolunteerKind.REPORTING_MEMBER.value: 0.3,
                          VolunteerKind.SENT_CADRE.value: 0.1, VolunteerKind.RESIDENT.value: 0.2}
REPORT_UNITS = ("市税务局", "市人民医院", "市自然资源和规划局", "市教育局", "市供电公司", "市交通运输局",
                "市市场监督管理局", "市住房和城乡建设局", "农商银行", "市图书馆")

# how often a case of each category is filed (微心愿 comes in through its source, not drawn as a category)
CATEGORY_WEIGHTS = {"环境卫生": 0.2, "垃圾分类": 0.1, "设施维修": 0.15, "停车管理": 0.1, "违章搭建": 0.06,
                    "占道经营": 0.06, "噪音扰民": 0.07, "邻里纠纷": 0.07, "物业纠纷": 0.07, "安全隐患": 0.06,
                    "绿化养护": 0.03, "养老服务": 0.03}
SOURCE_WEIGHTS = {CaseSource.PATROL.value: 0.45, CaseSource.RESIDENT.value: 0.3, CaseSource.HOTLINE.value: 0.2,
                  CaseSource.WISH.value: 0.05}
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
SATISFACTION_WEIGHTS = {Satisfaction.SATISFIED.value: 0.78, Satisfaction.FAIRLY_SATISFIED.value: 0.17,
                        Satisfaction.UNSATISFIED.value: 0.05}

WISH_TITLES = ("帮独居老人换楼道灯泡", "为留守儿童送一套课外读物", "教老人使用智能手机挂号", "陪高龄老人去医院复诊",
               "帮残疾居民修理轮椅", "为困难家庭孩子辅导作业", "给独居老人送一台电风扇", "帮老人疏通厨房下水道",
               "为社区老人理发", "帮孤寡老人打扫卫生", "为困难家庭送一袋大米", "帮老人网上缴纳水电费")
WISHES_PER_STREET = 30
