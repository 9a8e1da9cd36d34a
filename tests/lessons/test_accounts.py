"""Sign up, log in, log out, change password."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_redirects_safely(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
         "next": "/progress/"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/progress/"
    assert get_user_model().objects.filter(username="newbie").exists()
    assert client.get("/progress/").status_code == 200


def test_signup_refuses_offsite_next(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "n2", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
         "next": "https://evil.example/"},
    )  # fmt: skip
    assert response["Location"] == "/"


def test_signup_errors_are_400_and_keep_the_username(client):
    response = client.post(
        "/accounts/signup/", {"username": "keepme", "password1": "abc", "password2": "abd"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "didn’t match" in html or "didn't match" in html
    assert 'value="keepme"' in html
    assert not get_user_model().objects.filter(username="keepme").exists()


def test_login_logout_and_password_change(client, learner):
    response = client.post(
        "/accounts/login/", {"username": "learner", "password": "correct-horse-battery-1"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/password_change/").status_code == 200
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "correct-horse-battery-1", "new_password1": "another-long-phrase-7",
         "new_password2": "another-long-phrase-7"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/progress/").status_code == 302
    assert client.login(username="learner", password="another-long-phrase-7")


def test_bad_login_shows_message(client, learner):
    response = client.post("/accounts/login/", {"username": "learner", "password": "wrong"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_logout_by_get_is_refused(learner_client):
    assert learner_client.get("/accounts/logout/").status_code == 405
