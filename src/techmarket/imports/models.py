"""Import batches (导入批次): every import of a compilation, its file, who ran it, what it changed (so that it can
be undone as a whole), and the header mappings people chose, remembered per set of header words."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

FILE_NAME_MAX = 255
COLLECTION_MAX = 40


def batch_path(batch, filename: str) -> str:
    return f"imports/{batch.sha256[:2]}/{batch.sha256}/{filename[-100:]}"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "未导入"
        UNDONE = "undone", "已撤销"

    class Source(models.TextChoices):
        COMPILATION = "compilation", "汇编文件"
        PARTNER = "partner", "合作平台数据"

    file = models.FileField("文件", upload_to=batch_path, max_length=200, blank=True)
    file_name = models.CharField("文件名", max_length=FILE_NAME_MAX)
    sha256 = models.CharField(max_length=64)
    source = models.CharField("来源类型", max_length=20, choices=Source.choices, default=Source.COMPILATION)
    collection = models.CharField("汇编标识", max_length=COLLECTION_MAX, blank=True)
    mapping = models.JSONField("表头对应", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="导入人")
    actor_label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变", default=0)
    report = models.JSONField(default=dict, blank=True)
    # A person's answers for probable duplicates: reference → id of the listing to merge into, or 0 (distinct).
    decisions = models.JSONField("重复条目处理", default=dict, blank=True)
    report_text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="撤销人")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "导入批次"
        constraints = [
            models.CheckConstraint(condition=Q(progress_done__lte=F("progress_total")),
                                   name="import_batch_progress_bounded"),
            models.CheckConstraint(condition=~Q(file_name=""), name="import_batch_file_named"),
            models.CheckConstraint(
                condition=Q(status__in=["previewed", "queued", "running", "done", "failed", "undone"]),
                name="import_batch_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.created_at:%Y-%m-%d %H:%M}）" if self.created_at else self.file_name

    @property
    def percent(self) -> int:
        return 100 if self.status in (self.Status.DONE, self.Status.UNDONE) else (
            self.progress_done * 100 // self.progress_total if self.progress_total else 0)


class BatchChange(models.Model):
    """One listing a batch created or updated, with what an updated one held before (importers.undo)."""

    class Action(models.TextChoices):
        CREATED = "created", "新增"
        UPDATED = "updated", "更新"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    listing = models.ForeignKey("catalogue.Listing", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    reference = models.CharField(max_length=120)
    action = models.CharField(max_length=20, choices=Action.choices)
    previous = models.JSONField(default=dict, blank=True)
    written_at = models.DateTimeField()
    outcome = models.CharField("撤销结果", max_length=20, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "导入批次变更"
        constraints = [models.UniqueConstraint(fields=["batch", "reference"], name="unique_batch_change"),
                       models.CheckConstraint(condition=Q(action__in=["created", "updated"]),
                                              name="batch_change_action_known")]

    def __str__(self) -> str:
        return self.reference


class HeaderMapping(models.Model):
    """A person's column choices for header words the vocabulary does not know, remembered for the same set of
    header words (the signature: sha256 of the sorted folded words)."""

    signature = models.CharField(max_length=64, unique=True)
    words = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "表头对应记录"

    def __str__(self) -> str:
        return "、".join(self.words[:6])


class BatchAction(models.TextChoices):
    IMPORT = "import", "导入"
    UNDO = "undo", "撤销导入"


class ListingProvenance(models.Model):
    """Another source of a listing: a row of a later compilation (or partner feed) a person merged into it
    (importers.duplicates) instead of creating a second listing. The listing's first source stays its own
    (source document, section, position)."""

    listing = models.ForeignKey("catalogue.Listing", on_delete=models.CASCADE, related_name="+",
                                verbose_name="条目")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="provenances")
    reference = models.CharField("来源编号", max_length=120)
    file_name = models.CharField("来源文件", max_length=FILE_NAME_MAX)
    section_title = models.CharField("来源分组", max_length=80, blank=True)
    location = models.CharField("原文位置", max_length=80, blank=True)
    title = models.CharField("原文名称", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "条目来源"
        constraints = [models.UniqueConstraint(fields=["reference"], name="unique_provenance_reference")]

    def __str__(self) -> str:
        return f"{self.file_name} {self.location}"
