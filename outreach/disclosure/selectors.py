"""Reads of employer disclosure.

The public table is one statement over the HRSS employer roster's snapshot current at the
year's end (today for the current year): each row's district name and whether a letter
and a union confirmation are on file come from correlated sub-selects in the same query
(no query per row), and only the columns below leave the database — no person data, no
contribution base, no arrears."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from enrollment.models import Employer, InsuranceEmployerRow, RosterBatch, RosterKind
from enrollment.selectors import batch_current_get
from outreach.models import DisclosureDocument
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, User

# What the public sees of an employer: its name and code, its district, and its insured
# headcount by insurance type as the HRSS roster has them (养老, 工伤, 失业 — the roster
# carries no medical insurance), and whether its documents are on file.
PUBLIC_COLUMNS = (
    "uscc",
    "name",
    "district_name",
    "insured_pension",
    "insured_injury",
    "insured_unemployment",
    "has_letter",
    "has_union",
)
DOCUMENT_PATH = {"district_field": "district", "street_field": ""}
EMPLOYER_PATH = {"district_field": "district", "street_field": "street"}


@dataclass(frozen=True)
class Snapshot:
    year: int
    as_of: dt.date
    batch: RosterBatch | None


def snapshot_for_year(year: int) -> Snapshot:
    """The HRSS employer snapshot a year's table is read from: current at 31 December, or
    today for the current year."""
    as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    return Snapshot(
        year=year, as_of=as_of, batch=batch_current_get(kind=RosterKind.INSURANCE_EMPLOYERS, as_of=as_of)
    )


def _on_file(kind: str, year: int) -> Exists:
    return Exists(DisclosureDocument.objects.filter(uscc=OuterRef("uscc"), year=year, kind=kind))


def public_rows(*, snapshot: Snapshot, q: str = "") -> QuerySet:
    """The year's rows as dicts of PUBLIC_COLUMNS, by name; `q` matches the name (contains)
    or the USCC (prefix, any case)."""
    if snapshot.batch is None:
        return InsuranceEmployerRow.objects.none().values(*PUBLIC_COLUMNS[:2])
    rows = InsuranceEmployerRow.objects.filter(batch_id=snapshot.batch.pk)
    q = q.strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    return (
        rows.annotate(
            district_name=Subquery(
                District.objects.filter(code=OuterRef("district_code")).values("name")[:1]
            ),
            has_letter=_on_file(DisclosureDocument.Kind.COMMITMENT_LETTER, snapshot.year),
            has_union=_on_file(DisclosureDocument.Kind.UNION_CONFIRMATION, snapshot.year),
        )
        .values(*PUBLIC_COLUMNS)
        .order_by("name", "uscc")
    )


def public_row_get(*, snapshot: Snapshot, uscc: str) -> dict:
    """One employer's public row of the year; 404 when the snapshot does not have it."""
    row = public_rows(snapshot=snapshot).filter(uscc=uscc).first() if snapshot.batch else None
    if row is None:
        raise Http404("not in the snapshot")
    return row


# --- Staff: the documents of a jurisdiction, and the employer a document is filed for ---


def document_list(*, user: User, q: str = "") -> QuerySet[DisclosureDocument]:
    documents = access.scope(
        DisclosureDocument.objects.select_related("district", "uploaded_by"), user, **DOCUMENT_PATH
    )
    q = q.strip()
    if q:
        documents = documents.filter(Q(employer_name__icontains=q) | Q(uscc__startswith=q.upper()))
    return documents


def document_get_for_user(*, user: User, pk: int) -> DisclosureDocument:
    document = access.get_for_user(document_list(user=user), user, pk=pk, **DOCUMENT_PATH)
    assert isinstance(document, DisclosureDocument)  # narrows get_for_user's Model
    return document


def employer_for_upload(*, user: User, uscc: str) -> Employer | None:
    """The registry's employer of that USCC inside the user's jurisdiction, or None."""
    return access.scope(Employer.objects.all(), user, **EMPLOYER_PATH).filter(uscc=uscc).first()
