"""The first columns (栏目) of the news desk; editors add others in the admin."""

from django.db import migrations

CATEGORIES = [
    ("open-cooperation", "科技开放合作"),
    ("technology-market", "技术市场"),
    ("transfer", "成果转移转化"),
    ("finance", "科技金融"),
    ("talent", "人才与团队"),
]


def add(apps, schema_editor):
    Category = apps.get_model("publishing", "Category")
    for position, (code, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
