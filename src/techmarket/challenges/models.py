"""Open challenges (榜单): 择优委托, 揭榜挂帅, 赛马制, 后补助 and technology tenders (docs/challenges.md).

A challenge is written by the department or by an enterprise (approved by the department), published, answered by
teams with one-page proposals until its deadline, reviewed in stages (formal check, anonymous expert scoring, pitch,
decision, public notice), and carried out under task agreements with milestones, stage gates, acceptance and
funding recorded in the policy ledger. Every step is a line of the audit log (common.audit)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    NAME_MAX,
    REASON_MAX,
    TITLE_MAX,
    date_check,
    money_check,
    money_field,
    range_check,
    validate_date,
    validate_single_line,
    validate_text,
)

PROBLEM_MAX = 5000
TERMS_MAX = 2000
APPROACH_MAX = 3000  # the one-page proposal
COMMENT_MAX = 2000
MAX_REVIEWERS = 15
MAX_WINNERS = 10
MAX_NOTICE_DAYS = 30
TRL_MIN, TRL_MAX = 1, 9
SCORE_MAX = 100


class Mode(models.TextChoices):
    ENTRUST = "entrust", "择优委托"
    OPEN = "open", "揭榜挂帅"
    RACE = "race", "赛马制"
    POST = "post", "后补助"
    TENDER = "tender", "技术招标"


class Action(models.TextChoices):
    """Audit codes of challenges and their records (common.audit)."""

    CREATE = "create", "起草榜单"
    UPDATE = "update", "修改榜单"
    SUBMIT = "submit", "提交审批"
    APPROVE = "approve", "批准发布"
    REJECT = "reject", "不予批准"
    PUBLISH = "publish", "发布榜单"
    CANCEL = "cancel", "撤销榜单"
    ASK = "ask", "提出澄清问题"
    ANSWER = "answer", "答复澄清问题"
    PROPOSE = "propose", "报名揭榜"
    WITHDRAW = "withdraw", "撤回方案"
    CLOSE = "close", "截止征集"
    FORMAL = "formal", "形式审查"
    DRAW = "draw", "抽取评审专家"
    SCORE = "score", "专家评分"
    OPEN_PITCH = "open-pitch", "进入路演答辩"
    PITCH = "pitch", "路演评分"
    GATE = "gate", "阶段淘汰"
    DECIDE = "decide", "作出决定"
    NOTICE = "notice", "发布公示"
    AGREE = "agree", "签订任务书"
    REPORT = "report", "提交里程碑成果"
    MILESTONE = "milestone", "审核里程碑"
    ACCEPT = "accept", "验收"
    RELEASE = "release", "拨付经费"
    SPEND = "spend", "登记自有资金投入"
    CONTRACT = "contract", "转为技术合同"


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "待审批"
        REJECTED = "rejected", "未获批准"
        PUBLISHED = "published", "征集中"
        REVIEW = "review", "评审中"
        NOTICE = "notice", "公示中"
        IMPLEMENTING = "implementing", "实施中"
        FINISHED = "finished", "已完成"
        CANCELLED = "cancelled", "已撤销"

    class Stage(models.TextChoices):
        NONE = "", "—"
        FORMAL = "formal", "形式审查"
        SCORING = "scoring", "专家评审"
        PITCH = "pitch", "路演答辩"
        DECIDED = "decided", "已决定"

    title = models.CharField("榜单名称", max_length=TITLE_MAX, validators=[validate_single_line])
    problem = models.TextField("攻关任务", max_length=PROBLEM_MAX, validators=[validate_text])
    mode = models.CharField("组织方式", max_length=20, choices=Mode.choices)
    field = models.ForeignKey("catalogue.Field", on_delete=models.PROTECT, related_name="+", verbose_name="领域")
    demands = models.ManyToManyField("catalogue.Listing", blank=True, related_name="challenges",
                                     verbose_name="来源需求")
    # [{"name": 指标, "target": 目标值}]: 可考核指标
    indicators = models.JSONField("可考核指标", default=list)
    # [{"name": 评审要素, "weight": 权重}], weights summing to 100
    criteria = models.JSONField("评审要素及权重", default=list)
    public_funds = money_field("财政资金（元）", default=0)
    own_funds = money_field("企业自筹资金（元）", default=0)
    payment_terms = models.TextField("资金拨付方式", max_length=TERMS_MAX, blank=True, validators=[validate_text])
    deadline = models.DateField("截止日期", validators=[validate_date])
    eligibility = models.TextField("揭榜条件", max_length=TERMS_MAX, blank=True, validators=[validate_text])
    joint_required = models.BooleanField("须省内单位联合省外单位揭榜", default=False)
    ip_terms = models.TextField("知识产权约定", max_length=TERMS_MAX, blank=True, validators=[validate_text])
    confidentiality = models.TextField("保密要求", max_length=TERMS_MAX, blank=True, validators=[validate_text])
    reviewers_count = models.PositiveSmallIntegerField("评审专家人数", default=5)
    winners_count = models.PositiveSmallIntegerField("立项支持团队数", default=1)
    notice_days = models.PositiveSmallIntegerField("公示天数", default=5)
    listed_in_plan = models.BooleanField("已列入省级科技计划", default=False)
    challenger = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="challenges", verbose_name="出题单位")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="起草人")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField("评审环节", max_length=20, choices=Stage.choices, default=Stage.NONE, blank=True)
    status_reason = models.TextField("审批意见", blank=True, max_length=REASON_MAX, validators=[validate_text])
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="批准人")
    published_on = models.DateField("发布日期", null=True, blank=True, validators=[validate_date])
    decided_on = models.DateField("决定日期", null=True, blank=True, validators=[validate_date])
    decision_reason = models.TextField("决定理由", blank=True, max_length=REASON_MAX, validators=[validate_text])
    panel = models.ForeignKey("experts.Assignment", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="评审专家抽取记录")
    notice = models.ForeignKey("common.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="结果公示")
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "榜单"
        constraints = [
            money_check("public_funds", "challenge_public_funds_bounds"),
            money_check("own_funds", "challenge_own_funds_bounds"),
            date_check("deadline", "challenge_deadline_bounds"),
            date_check("published_on", "challenge_published_on_bounds"),
            date_check("decided_on", "challenge_decided_on_bounds"),
            range_check("reviewers_count", "challenge_reviewers_bounds", 1, MAX_REVIEWERS),
            range_check("winners_count", "challenge_winners_bounds", 1, MAX_WINNERS),
            range_check("notice_days", "challenge_notice_days_bounds", 1, MAX_NOTICE_DAYS),
            models.CheckConstraint(condition=Q(public_funds__gt=0) | Q(own_funds__gt=0),
                                   name="challenge_has_funds"),
            models.UniqueConstraint(fields=["created_by", "title"], name="challenge_one_title_per_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", args=[self.pk])

    @property
    def total_funds(self):
        return self.public_funds + self.own_funds

    @property
    def is_public(self) -> bool:
        return self.status not in (self.Status.DRAFT, self.Status.PENDING, self.Status.REJECTED)

    @property
    def is_tender(self) -> bool:
        return self.mode == Mode.TENDER


class Clarification(models.Model):
    """A bidder's question and the department's answer, public to every bidder once answered."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField("问题", max_length=REASON_MAX, validators=[validate_text])
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.TextField("答复", blank=True, max_length=REASON_MAX, validators=[validate_text])
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提问时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "澄清问答"
        constraints = [models.UniqueConstraint(fields=["challenge", "asked_by", "question"],
                                               name="challenge_one_question")]

    def __str__(self) -> str:
        return self.question[:40]


class Proposal(models.Model):
    """A team's one-page standard proposal (揭榜方案) to a challenge."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        WITHDRAWN = "withdrawn", "已撤回"
        REFUSED = "refused", "形式审查未通过"
        ELIGIBLE = "eligible", "通过形式审查"
        ELIMINATED = "eliminated", "阶段淘汰"
        SELECTED = "selected", "入选"
        NOT_SELECTED = "not-selected", "未入选"

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="proposals")
    code = models.CharField("方案编号", max_length=20)  # the anonymous name experts see: 方案 03
    team_name = models.CharField("团队名称", max_length=NAME_MAX, validators=[validate_single_line])
    leader_name = models.CharField("团队负责人", max_length=100, validators=[validate_single_line])
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="牵头单位")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="提交人")
    approach = models.TextField("技术路线", max_length=APPROACH_MAX, validators=[validate_text])
    trl_now = models.PositiveSmallIntegerField("现有技术成熟度")
    trl_promised = models.PositiveSmallIntegerField("承诺技术成熟度")
    # [{"title": 节点, "due_on": "YYYY-MM-DD", "amount": "元"}]
    milestones = models.JSONField("里程碑", default=list)
    budget = money_field("经费预算（元）")
    price = money_field("投标报价（元）", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.TextField("说明", blank=True, max_length=REASON_MAX, validators=[validate_text])
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["challenge", "code"]
        verbose_name = verbose_name_plural = "揭榜方案"
        constraints = [
            models.UniqueConstraint(fields=["challenge", "organisation"], condition=~Q(status="withdrawn"),
                                    name="challenge_one_live_proposal_per_organisation"),
            models.UniqueConstraint(fields=["challenge", "code"], name="challenge_proposal_code_unique"),
            range_check("trl_now", "proposal_trl_now_bounds", TRL_MIN, TRL_MAX),
            range_check("trl_promised", "proposal_trl_promised_bounds", TRL_MIN, TRL_MAX),
            models.CheckConstraint(condition=Q(trl_promised__gte=models.F("trl_now")), name="proposal_trl_order"),
            money_check("budget", "proposal_budget_bounds"),
            money_check("price", "proposal_price_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge.title}：{self.team_name}"

    def get_absolute_url(self) -> str:
        return reverse("challenges:proposal", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status not in (self.Status.WITHDRAWN, self.Status.REFUSED, self.Status.ELIMINATED,
                                   self.Status.NOT_SELECTED)


class Partner(models.Model):
    """A member unit of the team: the lead (牵头) and its partners, each with its region."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField("单位名称", max_length=NAME_MAX, validators=[validate_single_line])
    organisation = models.ForeignKey("directory.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    region = models.ForeignKey("directory.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所在地")
    lead = models.BooleanField("牵头单位", default=False)
    role = models.CharField("分工", max_length=NAME_MAX, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["proposal", "-lead", "id"]
        verbose_name = verbose_name_plural = "参与单位"

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """One expert's scores of one proposal at one stage: a mark per criterion, the weighted total and a comment."""

    class Stage(models.TextChoices):
        REVIEW = "review", "专家评审"
        PITCH = "pitch", "路演答辩"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    marks = models.JSONField("各要素得分", default=list)
    total = models.DecimalField("加权得分", max_digits=5, decimal_places=2)
    comment = models.TextField("评审意见", max_length=COMMENT_MAX, validators=[validate_text])
    created_at = models.DateTimeField("评分时间", auto_now_add=True)

    class Meta:
        ordering = ["proposal", "stage", "id"]
        verbose_name = verbose_name_plural = "专家评分"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "expert", "stage"], name="challenge_one_score_per_expert"),
            range_check("total", "score_total_bounds", 0, SCORE_MAX),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.code} {self.total}"


class Agreement(models.Model):
    """The task agreement (任务书) of a selected team: funds, milestones, stage gates, acceptance."""

    class Status(models.TextChoices):
        ACTIVE = "active", "实施中"
        ELIMINATED = "eliminated", "阶段淘汰"
        ACCEPTED = "accepted", "验收通过"
        FAILED = "failed", "验收未通过"

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="agreement")
    public_funds = money_field("财政资金（元）")
    own_funds = money_field("企业自筹资金（元）", default=0)
    terms = models.TextField("任务书主要内容", max_length=DESCRIPTION_MAX, validators=[validate_text])
    signed_on = models.DateField("签订日期", validators=[validate_date])
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField("说明", blank=True, max_length=REASON_MAX, validators=[validate_text])
    accepted_on = models.DateField("验收日期", null=True, blank=True, validators=[validate_date])
    contract_id = models.PositiveBigIntegerField("技术合同编号", null=True, blank=True)

    class Meta:
        ordering = ["proposal__challenge", "id"]
        verbose_name = verbose_name_plural = "任务书"
        constraints = [
            money_check("public_funds", "agreement_public_funds_bounds"),
            money_check("own_funds", "agreement_own_funds_bounds"),
            date_check("signed_on", "agreement_signed_on_bounds"),
            date_check("accepted_on", "agreement_accepted_on_bounds"),
        ]

    def __str__(self) -> str:
        return f"任务书：{self.proposal.team_name}"

    def get_absolute_url(self) -> str:
        return reverse("challenges:proposal", args=[self.proposal_id])


def evidence_path(instance, filename: str) -> str:
    return f"challenges/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}{instance.evidence_extension}"


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "未到期"
        REPORTED = "reported", "待审核"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "退回补充"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="milestone_set")
    position = models.PositiveSmallIntegerField("序号")
    title = models.CharField("里程碑", max_length=TITLE_MAX, validators=[validate_single_line])
    due_on = models.DateField("计划完成日期", validators=[validate_date])
    amount = money_field("完成后拨付（元）", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    report = models.TextField("完成情况", blank=True, max_length=DESCRIPTION_MAX, validators=[validate_text])
    evidence = models.FileField("佐证材料", upload_to=evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField("文件名", max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    evidence_extension = models.CharField(max_length=10, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    review_reason = models.TextField("审核意见", blank=True, max_length=REASON_MAX, validators=[validate_text])

    class Meta:
        ordering = ["agreement", "position"]
        verbose_name = verbose_name_plural = "里程碑"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="milestone_position_unique"),
            date_check("due_on", "milestone_due_on_bounds"),
            money_check("amount", "milestone_amount_bounds"),
        ]

    def __str__(self) -> str:
        return self.title


class Funding(models.Model):
    """A line of money of an agreement, mirrored from the policy ledger line it wrote: the commitment at signing,
    each release (milestone, post-funding) and the self-funded R&D reward. One per purpose (no double payment)."""

    class Kind(models.TextChoices):
        COMMITTED = "committed", "承诺资金"
        MILESTONE = "milestone", "里程碑拨付"
        POST = "post", "验收后拨付"
        SPENDING = "spending", "企业自有资金投入"
        REWARD = "reward", "自有资金研发奖励"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="fundings")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    key = models.CharField("用途", max_length=60)  # "commit", "milestone-3", "post", "spending-2026-1"…
    year = models.PositiveSmallIntegerField("年度")
    amount = money_field("金额（元）")
    ledger_entry = models.ForeignKey("policy.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="奖补台账")
    note = models.TextField("说明", blank=True, max_length=REASON_MAX, validators=[validate_text])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "created_at", "id"]
        verbose_name = verbose_name_plural = "榜单资金"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="funding_one_per_purpose"),
            money_check("amount", "funding_amount_bounds"),
            range_check("year", "funding_year_bounds", 1985, 2100),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
