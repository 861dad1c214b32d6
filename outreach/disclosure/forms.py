"""The upload form of a disclosure document: the employer by USCC, the kind, the year and
the file, whose type is read from its first bytes (never from its name or the client's
Content-Type)."""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.disclosure import services
from outreach.forms import photo_format
from outreach.models import DisclosureDocument
from wuhai_coverage.core.validators import InvalidIdentifier, normalize_uscc

# A scanned two-page letter at 300 dpi is 1–3 MB; 10 MB leaves room and bounds the disk.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Where a PDF's last %%EOF must sit: the trailer is at the end (some writers add a few bytes).
PDF_TAIL_BYTES = 1024
CONTENT_TYPES = {"PDF": "application/pdf", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"PDF": ".pdf", "JPEG": ".jpg", "PNG": ".png"}


def document_format(upload: IO[bytes], size: int) -> str:
    """ "PDF", "JPEG" or "PNG", from the file's bytes; ValidationError for anything else."""
    wrong_type = forms.ValidationError(_("文件应为 PDF、JPEG 或 PNG 格式"))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(PDF_MAGIC):
        upload.seek(max(0, size - PDF_TAIL_BYTES))
        tail = upload.read(PDF_TAIL_BYTES)
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise forms.ValidationError(_("PDF 文件不完整（缺少文件结尾），请重新导出后上传"))
        return "PDF"
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            fmt = photo_format(upload)  # header and structure checked, no pixel decoded
        except forms.ValidationError as exc:
            if exc.messages == [_("照片应为 JPEG 或 PNG 图片")]:
                raise wrong_type from None
            raise  # too many pixels: that message says so
        finally:
            upload.seek(0)
        if fmt in ("JPEG", "PNG"):
            return fmt
    raise wrong_type


class DocumentForm(forms.Form):
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("材料类型"), choices=DisclosureDocument.Kind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"))
    file = forms.FileField(
        label=gettext_lazy("文件（PDF/JPEG/PNG，10 MB 以内）"),
        error_messages={"empty": gettext_lazy("文件是空的"), "required": gettext_lazy("请选择文件")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_uscc(self) -> str:
        try:
            return normalize_uscc(self.cleaned_data["uscc"])
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        first, last = services.year_range()
        if not first <= year <= last:
            raise forms.ValidationError(
                _("年度应在 %(first)s 至 %(last)s 之间") % {"first": first, "last": last}
            )
        return year

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("文件不能超过 10 MB"))
        fmt = document_format(upload, upload.size)
        upload.content_type = CONTENT_TYPES[fmt]
        upload.name = f"document{EXTENSIONS[fmt]}"  # never keep a client-chosen file name
        return upload
