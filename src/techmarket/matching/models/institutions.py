"""Where an organisation is strong, for targeted publishing (定向发布) to institutions."""

from django.db import models


class InstitutionProfile(models.Model):
    organisation = models.OneToOneField("directory.Organisation", on_delete=models.CASCADE,
                                        related_name="institution_profile")
    fields = models.ManyToManyField("catalogue.Field", related_name="institutions", verbose_name="优势领域")
    source = models.CharField("来源", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构优势领域"

    def __str__(self) -> str:
        return str(self.organisation)
