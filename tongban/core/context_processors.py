from django.conf import settings


def platform(request):
    return {
        "county_name": settings.TONGBAN_COUNTY_NAME,
        "county_code": settings.TONGBAN_COUNTY_CODE,
    }
