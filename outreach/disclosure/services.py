"""Writes of employer disclosure: filing a commitment letter or union confirmation."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Employer
from outreach.models import DisclosureDocument
from wuhai_coverage.core import access
from wuhai_coverage.core.models import User
from wuhai_coverage.core.roles import MANAGE_DISCLOSURE

log = logging.getLogger(__name__)

FIRST_YEAR = 2020  # the policy (乌海政发〔2020〕17号) is from 2020


class DisclosureError(ValueError):
    pass


def year_range() -> tuple[int, int]:
    """The years a document may be filed for, and the public page shows: from the policy's
    year to the current one."""
    return FIRST_YEAR, timezone.localdate().year


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_upload(
    *, actor: User, employer: Employer, kind: str, year: int, file: UploadedFile
) -> DisclosureDocument:
    """File an employer's document for a year. The caller found `employer` through the
    access helper; this checks the capability and the district again, so that no other
    caller can file for another district's employer. A later upload of the same kind and
    year supersedes the earlier one on the public page (both are kept)."""
    access.require(actor, MANAGE_DISCLOSURE)
    if employer.district_id is None or not access.in_jurisdiction(
        actor, district_code=employer.district_id, street_code=employer.street_id
    ):
        raise DisclosureError(_("该用人单位不在本辖区"))
    if kind not in DisclosureDocument.Kind.values:
        raise DisclosureError(_("未知的材料类型"))
    first, last = year_range()
    if not first <= year <= last:
        raise DisclosureError(_("年度应在 %(first)s 至 %(last)s 之间") % {"first": first, "last": last})
    document = DisclosureDocument(
        kind=kind,
        year=year,
        uscc=employer.uscc,
        employer_name=employer.name,
        district_id=employer.district_id,
        content_type=file.content_type or "application/octet-stream",
        size_bytes=file.size or 0,
        sha256=_sha256(file),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    document.file.save(f"{kind}-{employer.uscc}{_extension(file.name)}", file, save=False)
    document.save()
    log.info(
        "disclosure document %s (%s %s, %s) uploaded by %s",
        document.pk,
        kind,
        year,
        employer.uscc,
        actor.username,
    )
    return document


def _extension(name: str | None) -> str:
    return "." + name.rsplit(".", 1)[-1] if name and "." in name else ""
