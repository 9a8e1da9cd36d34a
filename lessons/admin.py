"""Staff authoring: tracks, lessons (with their questions), questions (with their choices)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from lessons.models import (
    Choice,
    Lesson,
    LessonCompletion,
    Question,
    QuizAttempt,
    Status,
    Track,
)


@admin.action(description="Publish selected")
def publish(modeladmin, request, queryset):
    now = timezone.now()
    count = 0
    for obj in queryset:
        obj.status = Status.PUBLISHED
        if hasattr(obj, "published_at") and obj.published_at is None:
            obj.published_at = now
        obj.save()
        count += 1
    modeladmin.message_user(request, f"{count} published.", messages.SUCCESS)


@admin.action(description="Move selected back to draft")
def unpublish(modeladmin, request, queryset):
    count = 0
    for obj in queryset:
        obj.status = Status.DRAFT
        obj.save()
        count += 1
    modeladmin.message_user(request, f"{count} moved to draft.", messages.SUCCESS)


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ("order", "title", "status", "difficulty", "estimated_minutes", "edit_link")
    readonly_fields = ("title", "status", "difficulty", "estimated_minutes", "edit_link")
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ("order",)

    def has_add_permission(self, request, obj=None):
        return False  # lessons are written on their own page (body, quiz)

    @admin.display(description="")
    def edit_link(self, obj):
        url = reverse("admin:lessons_lesson_change", args=[obj.pk])
        return format_html('<a href="{}">Edit lesson</a>', url)


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("title", "order", "status", "lesson_count", "updated_at")
    list_editable = ("order",)
    list_filter = ("status",)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "order", "status", "summary", "description")
    inlines = [LessonInline]
    actions = [publish, unpublish]

    @admin.display(description="Lessons")
    def lesson_count(self, obj):
        return obj.lessons.count()


class QuestionInline(admin.TabularInline):
    """Questions on the lesson page; choices are edited on the question's own page."""

    model = Question
    fields = ("order", "text", "choice_summary", "edit_link")
    readonly_fields = ("text", "choice_summary", "edit_link")
    extra = 0
    can_delete = True
    ordering = ("order",)

    def has_add_permission(self, request, obj=None):
        return False  # see the "Add a quiz question" link: a question needs its choices

    @admin.display(description="Choices")
    def choice_summary(self, obj):
        choices = list(obj.choices.all())
        correct = sum(c.is_correct for c in choices)
        return f"{len(choices)} choices, {correct} correct"

    @admin.display(description="")
    def edit_link(self, obj):
        url = reverse("admin:lessons_question_change", args=[obj.pk])
        return format_html('<a href="{}">Edit question and choices</a>', url)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = (
        "title", "track", "order", "status", "difficulty", "estimated_minutes", "word_count",
        "question_count", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "track", "difficulty")
    list_select_related = ("track",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("track__order", "order")
    readonly_fields = ("word_count", "published_at", "preview_link", "add_question_link")
    fieldsets = (
        (None, {"fields": ("track", "title", "slug", "order", "status", "preview_link")}),
        ("Listing", {"fields": ("summary", "difficulty", "estimated_minutes")}),
        ("Content", {"fields": ("body", "word_count", "published_at")}),
        ("Quiz", {"fields": ("add_question_link",)}),
    )
    inlines = [QuestionInline]
    actions = [publish, unpublish]
    save_on_top = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Room to write: a wide title, a two-line summary, and a tall monospace Markdown body.
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "style": "width: 40em"}),
            "summary": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "body": forms.Textarea(
                attrs={"rows": 30, "cols": 100, "style": "font-family: monospace; width: 100%"}
            ),
        }
        if db_field.name in widgets:
            kwargs["widget"] = widgets[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Questions")
    def question_count(self, obj):
        return obj.questions.count()

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save the lesson to preview it on the site."
        label = "View on site" if obj.is_published else "Preview draft on the site"
        return format_html('<a href="{}" target="_blank">{}</a>', obj.get_absolute_url(), label)

    @admin.display(description="Add")
    def add_question_link(self, obj):
        if not obj.pk:
            return "Save the lesson first, then add its quiz questions."
        url = (
            reverse("admin:lessons_question_add")
            + f"?lesson={obj.pk}&order={obj.questions.count() + 1}"
        )
        return format_html('<a class="addlink" href="{}">Add a quiz question</a>', url)


class ChoiceFormSet(BaseInlineFormSet):
    """A question needs at least two choices and exactly one correct one."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) < 2:
            raise ValidationError("A question needs at least two choices.")
        correct = sum(1 for data in kept if data.get("is_correct"))
        if correct != 1:
            raise ValidationError(
                f"Mark exactly one choice as correct (currently {correct} marked)."
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    # Staff see the authoring order; learners do not (lessons/quiz.py: display_order).
    verbose_name_plural = "Choices (learners see them in a fixed shuffled order)"
    fields = ("order", "text", "is_correct")
    extra = 4
    min_num = 0
    ordering = ("order",)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "lesson", "order")
    list_filter = ("lesson__track",)
    list_select_related = ("lesson", "lesson__track")
    search_fields = ("text", "explanation", "lesson__title")
    autocomplete_fields = ("lesson",)
    fields = ("lesson", "order", "text", "explanation")
    inlines = [ChoiceInline]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ("user", "lesson", "score", "total", "created_at")
    list_filter = ("lesson__track",)
    list_select_related = ("user", "lesson")
    search_fields = ("user__username", "lesson__title")
    readonly_fields = ("user", "lesson", "score", "total", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(LessonCompletion)
class LessonCompletionAdmin(admin.ModelAdmin):
    list_display = ("user", "lesson", "completed_at")
    list_filter = ("lesson__track",)
    list_select_related = ("user", "lesson")
    search_fields = ("user__username", "lesson__title")
    readonly_fields = ("user", "lesson", "completed_at")

    def has_add_permission(self, request):
        return False
