"""Staff pages of the location levels; every write goes through LocationService.

The forms check what the service would refuse (a parent that disagrees, a
name the parent already has, a mapping code taken) and show it beside the
field; the service and the constraints still decide.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import BaseGenericInlineFormSet, GenericTabularInline
from django.contrib.contenttypes.models import ContentType

from audit.context import audit_context_for_request
from locations.exceptions import DUPLICATE_MAPPING_MESSAGE, DUPLICATE_NAME_MESSAGES, LocationError
from locations.models import City, Country, District, Location, LocationMapping, Township
from locations.services import PARENTS, WRITABLE_FIELDS, LocationService, resolve_parents
from omnitron.text import turkish_fold


class LocationForm(forms.ModelForm):
    """Parents above the nearest may be left empty: they follow the nearest one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for parent in PARENTS[self._meta.model][:-1]:
            self.fields[parent].required = False

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        current = self.instance if self.instance.pk else None
        given = {
            parent: cleaned[parent]
            for parent in PARENTS[model]
            if cleaned.get(parent) is not None and (current is None or parent in self.changed_data)
        }
        try:
            parents = resolve_parents(model, given, current)
        except LocationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return cleaned
        if model is not Country and cleaned.get("name"):
            self._check_name_is_free(model, cleaned["name"], parents)
        return cleaned

    def _check_name_is_free(self, model: type[Location], name: str, parents: dict) -> None:
        nearest = f"{PARENTS[model][-1]}_id"
        taken = model.objects.filter(
            name_folded=turkish_fold(name.strip()), **{nearest: parents[nearest]}
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("name", DUPLICATE_NAME_MESSAGES[model._meta.model_name])


class MappingFormSet(BaseGenericInlineFormSet):
    def clean(self):
        super().clean()
        content_type = ContentType.objects.get_for_model(self.instance)
        for form in self.forms:
            code = form.cleaned_data.get("code")
            integration_type = form.cleaned_data.get("integration_type")
            if not code or not integration_type or form.cleaned_data.get("DELETE"):
                continue
            taken = LocationMapping.objects.filter(
                content_type=content_type, code=code, integration_type=integration_type
            ).exclude(pk=form.instance.pk)
            if taken.exists():
                kind = self.instance._meta.verbose_name
                form.add_error("code", DUPLICATE_MAPPING_MESSAGE.format(kind=kind))


class MappingInline(GenericTabularInline):
    model = LocationMapping
    formset = MappingFormSet
    fields = ["integration_type", "code"]
    extra = 0


class LocationAdmin(admin.ModelAdmin):
    """Staff edits go through LocationService, so they are audited with the staff user."""

    form = LocationForm
    inlines = [MappingInline]
    list_filter = ["is_active"]
    search_help_text = "A name or a part of it, in any case (Turkish-aware: ISTANBUL, istanbul)."
    ordering = ["id"]
    # A non-empty search_fields shows the search box; get_search_results does the search.
    search_fields = ["name"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(name_folded__contains=turkish_fold(search_term.strip())), False

    def save_model(self, request, obj, form, change):
        context = audit_context_for_request(request)
        model = type(obj)
        fields = {
            field: form.cleaned_data[field]
            for field in WRITABLE_FIELDS[model]
            if field in form.cleaned_data
            and not (field in PARENTS[model] and form.cleaned_data[field] is None)
        }
        if change:
            changed = {
                field: value for field, value in fields.items() if field in form.changed_data
            }
            saved = LocationService.update_location(obj, audit_context=context, **changed)
        else:
            saved = LocationService.create_location(model, audit_context=context, **fields)
        obj.pk = saved.pk
        for field in model._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not LocationMapping:
            return super().save_formset(request, form, formset, change)
        context = audit_context_for_request(request)
        location = form.instance
        formset.save(commit=False)
        for mapping in formset.deleted_objects:
            LocationService.remove_mapping(location, mapping, audit_context=context)
        for mapping, _ in formset.changed_objects:
            stored = LocationMapping.objects.get(pk=mapping.pk)
            LocationService.remove_mapping(location, stored, audit_context=context)
            LocationService.add_mapping(
                location, mapping.integration_type, mapping.code, audit_context=context
            )
        for mapping in formset.new_objects:
            LocationService.add_mapping(
                location, mapping.integration_type, mapping.code, audit_context=context
            )
        return None

    def delete_model(self, request, obj):
        LocationService.delete_location(obj, audit_context=audit_context_for_request(request))

    def delete_queryset(self, request, queryset):
        context = audit_context_for_request(request)
        for location in queryset:
            LocationService.delete_location(location, audit_context=context)


@admin.register(Country)
class CountryAdmin(LocationAdmin):
    list_display = ["id", "name", "code", "is_active"]


@admin.register(City)
class CityAdmin(LocationAdmin):
    list_display = ["id", "name", "country", "is_active"]
    list_select_related = ["country"]
    list_filter = ["country", "is_active"]


@admin.register(Township)
class TownshipAdmin(LocationAdmin):
    list_display = ["id", "name", "city", "country", "is_active"]
    list_select_related = ["city", "country"]
    list_filter = ["country", "is_active"]
    autocomplete_fields = ["city"]


@admin.register(District)
class DistrictAdmin(LocationAdmin):
    list_display = ["id", "name", "postcode", "township", "city", "country", "is_active"]
    list_select_related = ["township", "city", "country"]
    list_filter = ["country", "is_active"]
    autocomplete_fields = ["city", "township"]
