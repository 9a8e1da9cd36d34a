"""Signals other parts of the project may listen to (metrics count sign-ups from here)."""

from django.dispatch import Signal

user_signed_up = Signal()  # kwargs: user
