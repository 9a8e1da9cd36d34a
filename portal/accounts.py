"""Sign-up. Log in, log out and password change are Django's own auth views."""

import logging

from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from portal import signals

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "lessons:home")
    if request.method == "POST":
        form = UserCreationForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            signals.user_signed_up.send(sender=signup, user=user)
            logger.info("user signed up", extra={"user_id": user.pk})
            return redirect(next_url or "lessons:home")
        status = 400
    else:
        form = UserCreationForm()
        status = 200
    return render(
        request, "registration/signup.html", {"form": form, "next": next_url}, status=status
    )
