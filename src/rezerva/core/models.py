"""Abstract bases shared by every domain app."""

from django.db import models


class TimeStampedModel(models.Model):
    """created_at / updated_at, set by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    """A row owned by one business; every query on it filters by `business`."""

    business = models.ForeignKey("tenancy.Business", on_delete=models.CASCADE, db_index=True)

    class Meta:
        abstract = True
