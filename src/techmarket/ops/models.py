"""The ops app's one table: the runs of the scheduled jobs (ops/schedule.py), which are also the queue the
readiness check and the metrics read the oldest waiting job from, whatever the job backend."""

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=60)
    due_at = models.DateTimeField("应运行时间", help_text="The schedule's slot this run is for (one run per slot).")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField("排队时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    output = models.TextField("输出", blank=True)
    request_id = models.CharField("请求标识", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定时任务运行"
        constraints = [models.UniqueConstraint(fields=["job", "due_at"], name="ops_one_run_per_slot")]
        indexes = [models.Index(fields=["status", "queued_at"]), models.Index(fields=["job", "-due_at"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at:%Y-%m-%d %H:%M}"
