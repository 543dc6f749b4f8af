from django.contrib import admin

from omnitron.counting import BoundedCountPaginator
from orders.models import Order, OrderItem


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "channel", "customer", "amount", "currency", "status", "ordered_at"]
    list_select_related = ["channel", "customer"]
    list_filter = ["channel", "status", "currency"]
    search_fields = ["=number", "=remote_id"]
    raw_id_fields = ["customer"]
    readonly_fields = ["created_date", "modified_date"]
    inlines = [OrderItemInline]
    paginator = BoundedCountPaginator
    show_full_result_count = False  # no COUNT(*) of the whole table on every page
