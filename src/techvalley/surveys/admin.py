from django.contrib import admin

from techvalley.surveys.models import (
    Candidate,
    CommunicationRecord,
    Invitation,
    Message,
    Question,
    Response,
    Section,
    Survey,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title_ko", "slug", "complex", "status", "anonymous", "results_published", "simulated")
    list_filter = ("complex", "status", "anonymous", "simulated")
    search_fields = ("title_ko", "title_en", "slug")
    inlines = [SectionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("code", "survey", "type", "label_ko", "required", "order")
    list_filter = ("type", "survey")
    search_fields = ("code", "label_ko")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("survey", "company", "sent_at", "reminders", "answered_at")
    list_filter = ("survey",)
    raw_id_fields = ("company",)
    exclude = ("nonce",)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "company", "ref", "source", "submitted_at", "updated_at")
    list_filter = ("survey", "source")
    search_fields = ("ref", "company__name")
    raw_id_fields = ("company",)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("title", "complex", "status", "estimated_companies", "estimated_cost_million_krw")
    list_filter = ("status",)
    filter_horizontal = ()
    raw_id_fields = ("responses",)


@admin.register(CommunicationRecord)
class CommunicationRecordAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "title", "place", "attendees", "public", "simulated")
    list_filter = ("kind", "public", "simulated")
    search_fields = ("title", "place")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "queued_at", "sent_at", "error")
    list_filter = ("kind",)
