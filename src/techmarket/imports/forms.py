from django import forms

from techmarket.imports.models import COLLECTION_MAX


class UploadForm(forms.Form):
    file = forms.FileField(label="汇编文件（Word、Excel、文本）或合作平台数据（JSON）")
    collection = forms.RegexField(
        label="汇编标识", max_length=COLLECTION_MAX, regex=r"^[a-z0-9-]+$",
        help_text="小写字母、数字或连字符，如 xining-2026；同一汇编再次导入时使用同一标识，条目会原地更新。",
        error_messages={"invalid": "汇编标识只能由小写字母、数字和连字符组成。"})
