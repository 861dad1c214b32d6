from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core import models, privacy


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(models.Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district")
    list_filter = ("district",)


@admin.register(models.Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "street")
    list_filter = ("street__district",)
    search_fields = ("name", "code")


@admin.register(models.IndustrySection)
class IndustrySectionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(models.IndustryDivision)
class IndustryDivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "section")
    list_filter = ("section",)


@admin.register(models.KeyIndustry)
class KeyIndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group")


@admin.register(models.AverageWage)
class AverageWageAdmin(admin.ModelAdmin):
    list_display = ("year", "value")


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "district", "street", "department", "is_active")
    list_filter = ("role", "district", "department")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("角色与辖区"), {"fields": ("role", "display_name", "district", "street", "department")}),
    )


@admin.register(models.AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    # The log names whose number was seen; it must not itself show the numbers in clear.
    list_display = ("at", "actor", "field", "masked_subject", "subjects", "context")
    list_filter = ("field",)
    fields = ("at", "actor", "field", "masked_subject", "masked_subjects", "context", "ip")
    readonly_fields = fields

    @admin.display(description=_("对象"))
    def masked_subject(self, obj) -> str:
        return privacy.mask_id_number(obj.subject_key)

    @admin.display(description=_("全部对象"))
    def masked_subjects(self, obj) -> str:
        return ", ".join(privacy.mask_id_number(k) for k in obj.subject_keys or [])

    @admin.display(description=_("对象数"))
    def subjects(self, obj) -> int:
        return len(obj.subject_keys or [])

    def has_add_permission(self, request):  # the log is written by reveals only
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are issued by `manage.py issue_api_token` (shown once); here they are read and revoked."""

    list_display = ("user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_by")
    list_filter = ("user__role",)
    search_fields = ("user__username", "prefix")
    readonly_fields = (
        "user",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )

    def has_add_permission(self, request):
        return False
