from django.contrib import admin

from .models import LedgerCategory, LedgerEntry


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0


@admin.register(LedgerCategory)
class LedgerCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "order", "target_oku_yen"]
    list_filter = ["program", "group"]
    inlines = [LedgerEntryInline]
