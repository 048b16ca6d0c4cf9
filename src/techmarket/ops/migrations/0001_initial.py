import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ScheduledRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("job", models.CharField(max_length=60, verbose_name="任务")),
                ("due_at", models.DateTimeField(help_text="The schedule's slot this run is for (one run per slot).",
                                                verbose_name="应运行时间")),
                ("status", models.CharField(choices=[("queued", "排队中"), ("running", "运行中"), ("done", "已完成"),
                                                     ("failed", "失败")], default="queued", max_length=10,
                                            verbose_name="状态")),
                ("queued_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="排队时间")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="开始时间")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                ("output", models.TextField(blank=True, verbose_name="输出")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="请求标识")),
            ],
            options={
                "verbose_name": "定时任务运行",
                "verbose_name_plural": "定时任务运行",
                "indexes": [models.Index(fields=["status", "queued_at"], name="ops_schedul_status_a7c373_idx"),
                            models.Index(fields=["job", "-due_at"], name="ops_schedul_job_b0d878_idx")],
                "constraints": [models.UniqueConstraint(fields=("job", "due_at"), name="ops_one_run_per_slot")],
            },
        ),
    ]
