from django.urls import path

from officium.fieldwork import phone, views

app_name = "fieldwork"

urlpatterns = [
    path("o/<slug:org>/tasks/", views.TasksView.as_view(), name="tasks"),
    path("o/<slug:org>/tasks/new/", views.TaskNewView.as_view(), name="task_new"),
    path("o/<slug:org>/tasks/<int:task_id>/", views.TaskDetailView.as_view(), name="task"),
    path("o/<slug:org>/tasks/<int:task_id>/entries/", views.TaskEntryView.as_view(), name="task_entry"),
    path("o/<slug:org>/tasks/<int:task_id>/assignees/", views.TaskAssignView.as_view(), name="task_assign"),
    path("o/<slug:org>/tasks/<int:task_id>/bids/", views.TaskBidView.as_view(), name="task_bid"),
    path("o/<slug:org>/tasks/<int:task_id>/photos/<int:photo_id>/", views.PhotoView.as_view(), name="photo"),
    path("o/<slug:org>/tasks/<int:task_id>/attachments/", views.AttachmentsView.as_view(), name="attachments"),
    path("o/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>/", views.AttachmentView.as_view(),
         name="attachment"),
    path("o/<slug:org>/tasks/<int:task_id>/attachments/<int:attachment_id>/delete/",
         views.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("o/<slug:org>/forms/", views.FormsView.as_view(), name="forms"),
    path("o/<slug:org>/forms/new/", views.FormEditView.as_view(), name="form_new"),
    path("o/<slug:org>/forms/<int:form_id>/", views.FormEditView.as_view(), name="form_edit"),
    path("o/<slug:org>/forms/<int:form_id>/fill/", views.FormFillView.as_view(), name="form_fill"),
    path("o/<slug:org>/forms/<int:form_id>/submissions/", views.SubmissionsView.as_view(), name="submissions"),
    path("o/<slug:org>/bids/", views.BidsView.as_view(), name="bids"),
    path("o/<slug:org>/bids/offers/<int:offer_id>/answer/", views.OfferAnswerView.as_view(), name="offer_answer"),
    path("o/<slug:org>/bids/<int:bid_id>/award/", views.BidAwardView.as_view(), name="bid_award"),
    path("o/<slug:org>/dispatch/", views.DispatchView.as_view(), name="dispatch"),
    path("eta/<str:token>/", views.EtaOptOutView.as_view(), name="eta_opt_out"),
    path("app/", phone.app, name="app"),
    path("app/manifest.webmanifest", phone.manifest, name="app_manifest"),
    path("app/sw.js", phone.service_worker, name="app_sw"),
]
