"""URLs of the failure lab, included under /lab/. No app namespace on purpose: the URL names are
the `view` label of the request metrics, and CONTRACTS.md says lab views are exactly the ones
whose name starts with `lab-` (a namespace would make it `lab:...`)."""

from django.urls import path

from portal import lab

urlpatterns = [
    path("", lab.index, name="lab-index"),
    path("status/", lab.status, name="lab-status"),
    path("delay/", lab.delay, name="lab-delay"),
]
