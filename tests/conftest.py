"""Shared fixtures: users, a small published track, and the built-in curriculum."""

import io

import pytest
from django.core.management import call_command

from tests.factories import make_lesson, make_track


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password="correct-horse-battery-1")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        "editor", "editor@example.com", "staff-password-123"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def track(db):
    return make_track()


@pytest.fixture
def lesson(track):
    return make_lesson(track, order=1, slug="first-lesson", title="First lesson", questions=3)


@pytest.fixture
def curriculum(db):
    call_command("load_lessons", verbosity=0, stdout=io.StringIO())
