"""Demo FAQs (常见问题) for the fictional city bureau: the questions its window and hot
line hear most — requests for information, fees and deadlines, complaints (12315), food
licensing, registration, prices, recalls — drafted by the office or the officer and
approved by the leader; one waits for review and one is a draft.

Fictional throughout; the rules quoted are the national ones the platform applies. The
periods gongkai computes are rendered from their constants; the few it does not compute
(complaint handling, licensing) are quoted as their regulations spell them."""

from __future__ import annotations

from django.db import transaction

from gongkai.answers import services
from gongkai.answers.models import Faq
from gongkai.core.models import Agency, User
from gongkai.decisions import rules as decision_rules
from gongkai.foi import deadlines
from gongkai.reports import rules as report_rules

# (question, answer, other phrasings, drafter)
FAQS = [
    ("如何申请政府信息公开？",
     "您可以通过本平台“依申请公开”栏目在线填写申请，也可以到本局政务公开窗口当面提交，或者通过信函、传真提出。"
     "申请应当写明申请人的姓名或者名称、身份证明、联系方式，所需政府信息的名称、文号或者便于查询的其他特征性描述，"
     "以及获取信息的方式。", "怎么申请信息公开 依申请公开 提交申请 申请渠道", "office"),
    ("申请政府信息公开收费吗？",
     "依申请提供政府信息，原则上不收取费用。申请公开的数量、频次明显超过合理范围的，可以按照《政府信息公开信息处理费管理办法》"
     "收取信息处理费：按件计收的，每月前10件不收费；按量计收的，30页以内不收费。", "要钱吗 费用 信息处理费", "office"),
    ("提交申请后多长时间答复？",
     f"能够当场答复的当场答复；不能当场答复的，本局自收到申请之日起{deadlines.REPLY_LIMIT_DAYS}个工作日内答复。"
     f"需要延长的，经负责人同意并告知申请人，延长期限最长不超过{deadlines.MAX_EXTENSION_DAYS}个工作日。"
     "征求第三方意见的时间不计入答复期限。", "多久答复 答复期限 几天回复", "office"),
    ("怎样查询申请的办理进度？",
     "在线提交申请后，平台会给出申请编号和查询码。在“申请查询”页面输入申请编号和查询码，即可查看办理进度、告知书和公开的文件。"
     "查询码只显示一次，请妥善保存。", "查进度 申请编号 查询码 办到哪一步了", "office"),
    ("申请内容写得不清楚会怎样？",
     f"申请内容不明确的，本局会在收到申请之日起{deadlines.CORRECTION_NOTICE_DAYS}个工作日内一次性告知您需要补正的事项和合理的补正期限。答复期限自收到补正后的申请之日起重新计算；"
     "无正当理由逾期不补正的，视为放弃申请。", "补正 补材料 说不清楚", "office"),
    ("对政府信息公开答复不满意怎么办？",
     "您认为本局在政府信息公开工作中侵犯您合法权益的，可以向青岚市人民政府办公室（政府信息公开工作主管部门）投诉、举报，"
     "也可以自知道该行政行为之日起六十日内申请行政复议，或者自知道作出行政行为之日起六个月内提起行政诉讼。",
     "不服 复议 起诉 救济", "office"),
    ("哪些政府信息不予公开？",
     "依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开。"
     "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的，不得公开，但第三方同意公开或者不公开会对公共利益造成重大影响的除外。",
     "不公开 保密 为什么不给公开", "office"),
    ("可以委托别人代为申请政府信息公开吗？",
     "可以。委托他人代为申请的，请同时提交申请人的身份证明、受托人的身份证明和申请人签名的授权委托书。", "代办 委托 家人帮忙申请", "office"),
    ("消费投诉举报电话是多少？",
     "消费投诉举报请拨打全国12315热线，也可以登录全国12315平台（网站、微信小程序、APP）在线提交。"
     "12315热线受理时间为工作日8:30—12:00、14:30—18:00。", "12315 投诉电话 举报热线", "office"),
    ("网购商品出现质量问题怎么投诉？",
     "网购商品出现质量问题，可以先与商家或平台协商；协商不成的，可以通过全国12315平台向经营者所在地的市场监督管理部门投诉，"
     "请保留订单截图、聊天记录、付款凭证等证据。", "网购 网店 网络购物 投诉", "officer"),
    ("投诉以后多久会有处理结果？",
     "市场监督管理部门自收到投诉之日起七个工作日内作出受理或者不予受理的决定并告知投诉人；受理后组织调解的，"
     "一般自受理之日起四十五个工作日内终结调解。", "投诉多久处理 投诉进度 受理时间", "office"),
    ("举报违法行为有奖励吗？",
     "有。举报内容经查证属实、对查处重大违法行为起到直接作用的，可以依照《市场监管领域重大违法行为举报奖励暂行办法》申请举报奖励，"
     "奖励金额根据罚没款金额和举报等级确定。举报人的信息依法予以保密。", "举报奖金 给奖励吗", "office"),
    ("开饭店怎么办理食品经营许可证？",
     "开办餐饮等食品经营活动，应当取得食品经营许可证。申请人可以通过青岚市政务服务网在线申请，或者到市政务服务中心市场监管窗口提交申请书、"
     "营业执照、与食品经营相适应的经营场所和设备布局说明、食品安全管理制度等材料。", "食品经营许可 办证 开店 餐饮许可", "officer"),
    ("食品经营许可多长时间能批下来？",
     "材料齐全、符合法定形式的当场受理。本局自受理申请之日起十个工作日内作出是否准予许可的决定；需要现场核查的，核查时间不超过五个工作日。",
     "食品经营许可 办证要多久 审批时限", "officer"),
    ("食品经营许可证的有效期是多久？到期了怎么办？",
     "食品经营许可证有效期为5年。需要延续的，应当在有效期届满前按规定期限向原发证的市场监督管理部门提出延续申请；"
     "逾期未延续的，许可证到期后不得继续经营。",
     "许可证到期 延续 续期 有效期", "officer"),
    ("家庭小作坊做糕点卖需要办证吗？",
     "在本市从事食品生产加工小作坊经营的，应当依照《青岚市食品生产加工小作坊监督管理办法》向所在地市场监督管理部门申请小作坊登记证，"
     "取得登记证后方可生产经营，并在经营场所显著位置公示。", "小作坊 登记证 家庭作坊", "officer"),
    ("个体工商户营业执照怎么办理？",
     "办理个体工商户登记，可以登录云泽省企业开办“一网通办”平台在线申请，或者到市政务服务中心登记注册窗口办理，一般需要经营者身份证明、经营场所使用证明。"
     "材料齐全的当场办结。", "营业执照 开店 登记注册 个体户", "office"),
    ("营业执照丢了怎么补办？",
     "营业执照遗失的，可以通过国家企业信用信息公示系统自行发布遗失公告，然后持补领申请书到原登记机关申请补领；"
     "也可以直接申请电子营业执照使用。", "营业执照遗失 补领 执照丢失", "office"),
    ("买到过期食品怎么办？",
     "请保留好购物小票和过期食品实物，向商家要求退货并赔偿；协商不成的，可以拨打12315或通过全国12315平台投诉举报。"
     "经营超过保质期的食品属于违法行为，本局将依法查处。", "过期 保质期 变质食品", "officer"),
    ("食品抽检结果在哪里可以查到？",
     "本局定期发布食品安全监督抽检情况的通告，可在本局政府信息公开目录“抽检计划及结果发布”栏目查看，或者在站内检索“抽检”。",
     "抽检 检测结果 不合格食品", "officer"),
    ("在哪里查看产品召回信息？",
     "缺陷产品召回信息在本局政府信息公开目录“产品召回信息”栏目发布，也可在国家市场监督管理总局缺陷产品召回技术中心网站查询。",
     "召回 缺陷产品", "officer"),
    ("商家不明码标价或价格欺诈怎么举报？",
     "经营者应当明码标价，不得虚构原价、虚假优惠。发现价格违法行为，可以拨打12315或通过全国12315平台举报，请提供价签照片、收费凭证等证据。",
     "乱收费 价格 涨价 标价", "office"),
    ("菜市场缺斤短两找谁？",
     "发现商贩使用不合格的计量器具或者缺斤短两，可以在市场的公平秤复秤，并向市场管理方或者拨打12315投诉举报。",
     "短秤 缺斤少两 电子秤 计量", "office"),
    ("政府信息公开工作年度报告在哪里看？",
     f"本局每年{report_rules.REPORT_DEADLINE_TEXT}前在政府信息公开专栏发布上一年度的政府信息公开工作年度报告，可在“年报”栏目或全站“年度报告”页面查看。",
     "年报 年度报告", "office"),
    ("行政处罚决定在哪里公示？",
     f"本局作出的行政许可、行政处罚决定自作出之日起{decision_rules.PUBLICATION_LIMIT_DAYS[decision_rules.PENALTY]}个工作日内在“行政许可和行政处罚等信息公示”页面公示。",
     "处罚公示 罚款 双公示", "office"),
    ("对网络订餐食品安全管理办法征求意见稿怎么提意见？",
     "本局就《青岚市网络订餐食品安全管理办法（征求意见稿）》公开征求意见，您可以在意见征集栏目查看征求意见稿，按公告载明的方式和期限提交意见。",
     "外卖 提意见 征求意见", "officer"),
]
# Left for the demo's desk: one submitted for review, one still a draft.
SUBMITTED = ("儿童电动自行车召回怎么办理退换？",
             "请联系购买渠道或生产企业办理召回登记，企业将按召回公告免费更换或退款。", "电动车召回 退换", "officer")
DRAFT = ("市场监管大楼可以停车吗？", "办事群众可以在大楼东侧访客停车场停车。", "停车", "office")


@transaction.atomic
def load_demo_faqs() -> int:
    """Load the demo FAQs once (when the bureau has none); returns how many."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or Faq.objects.filter(agency=bureau).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["office", "officer", "leader"])}
    count = 0
    for question, answer, keywords, drafter in FAQS:
        faq = services.faq_create(actor=users[drafter], agency=bureau, question=question,
                                  answer=answer, keywords=keywords)
        services.faq_submit(actor=users[drafter], faq=faq)
        services.faq_approve(actor=users["leader"], faq=faq, reason="同意发布")
        count += 1
    question, answer, keywords, drafter = SUBMITTED
    faq = services.faq_create(actor=users[drafter], agency=bureau, question=question, answer=answer,
                              keywords=keywords)
    services.faq_submit(actor=users[drafter], faq=faq)
    question, answer, keywords, drafter = DRAFT
    services.faq_create(actor=users[drafter], agency=bureau, question=question, answer=answer,
                        keywords=keywords)
    return count + 2
