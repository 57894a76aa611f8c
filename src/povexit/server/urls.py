from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import cases, feedback, followup, pages

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="server/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/", cases.case_act, name="case_act"),
    path("attachments/<int:pk>/", cases.attachment_download, name="attachment"),
    path("feedback/", feedback.feedback, name="feedback"),
    path("feedback/export.xlsx", feedback.feedback_export, name="feedback_export"),
    path("fieldwork/", pages.fieldwork, name="fieldwork"),
    path("fieldwork/daily/", pages.daily, name="daily"),
    path("fieldwork/rejected/", pages.rejected, name="rejected"),
    path("sample/", pages.sample, name="sample"),
    path("sample/<int:county>/batches/<int:number>/release/", pages.release_batch, name="release_batch"),
    path("indicators/", pages.indicators_view, name="indicators"),
    path("audit/", pages.audit, name="audit"),
    path("users/", pages.users, name="users"),
    path("procedure/", followup.procedure_page, name="procedure"),
    path("procedure/overview/", followup.procedure_overview, name="procedure_overview"),
    path("procedure/<int:county>/<str:stage>/", followup.procedure_record, name="procedure_record"),
    path("procedure/files/<int:pk>/", followup.stage_file, name="stage_file"),
    path("rectification/", followup.rectification, name="rectification"),
    path("rectification/<int:county>/upload/", followup.rectification_upload, name="rectification_upload"),
    path(
        "rectification/<int:county>/issue-from-assessment/",
        followup.rectification_issue_generated,
        name="rectification_issue_generated",
    ),
    path("rectification/<int:county>/problem-list.xlsx", followup.rectification_export, name="rectification_export"),
    path("rectification/problems/<int:pk>/recheck/", followup.problem_recheck, name="problem_recheck"),
]
