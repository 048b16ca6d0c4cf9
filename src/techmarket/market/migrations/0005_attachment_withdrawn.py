"""A contract's document is withdrawn or replaced, not deleted (issue 13): who withdrew it, when, and the document
that replaced it. Existing documents are all in force (withdrawn_at NULL)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('market', '0004_deal_and_registration_history_to_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='replaced_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='market.attachment', verbose_name='替换为'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='移除时间'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='移除人'),
        ),
    ]
