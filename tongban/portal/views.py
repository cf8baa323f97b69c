from django.shortcuts import render

from tongban.org import services as org


def home(request):
    """The citizen's front door: the county's service network, from live data."""
    return render(request, "portal/home.html", {"network": org.network_summary()})
