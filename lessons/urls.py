from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("progress/", views.my_progress, name="progress"),
    path("tracks/<slug:track_slug>/", views.track_detail, name="track"),
    path("tracks/<slug:track_slug>/<slug:lesson_slug>/", views.lesson_detail, name="lesson"),
    path(
        "tracks/<slug:track_slug>/<slug:lesson_slug>/complete/",
        views.lesson_complete,
        name="lesson-complete",
    ),
    path(
        "tracks/<slug:track_slug>/<slug:lesson_slug>/quiz/", views.lesson_quiz, name="lesson-quiz"
    ),
]
