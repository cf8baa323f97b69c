from django.urls import path

from tongban.portal import (
    applicant,
    assist_views,
    modes,
    pwa,
    results,
    speech,
    supervision,
    views,
    window_intake,
    workbench,
)

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("mode/elder/", modes.switch_elder, name="switch_elder"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("workbench/", workbench.inbox, name="workbench"),
    path("workbench/intake/", window_intake.intake, name="workbench_intake"),
    path("workbench/cases/<str:number>/", workbench.detail, name="workbench_case"),
    path(
        "workbench/cases/<str:number>/materials/<int:pk>/",
        workbench.material,
        name="workbench_material",
    ),
    path("workbench/cases/<str:number>/<slug:action>/", workbench.act, name="workbench_act"),
    path("workbench/supervision/", supervision.overview, name="supervision"),
    path("cases/<str:number>/result.pdf", results.result_document, name="case_result"),
    path("items/<str:code>/apply/", applicant.apply, name="apply"),
    path("my/cases/", applicant.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", applicant.my_case, name="my_case"),
    path("my/cases/<str:number>/resubmit/", applicant.resubmit, name="resubmit"),
    path("cases/<str:number>/receipt.pdf", applicant.receipt, name="receipt"),
    path("track/", applicant.track, name="track"),
    path("speech/", speech.speak, name="speech"),
    path("assist/", assist_views.book, name="assist"),
    path("assist/<str:number>/", assist_views.booking, name="assist_booking"),
    path("workbench/assist/", assist_views.staff_list, name="workbench_assist"),
]
