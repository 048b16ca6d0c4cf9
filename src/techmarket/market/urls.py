"""Routes of technology trading and registration, mounted at /market/ (docs/market.md, "Pages")."""

from django.urls import path

from techmarket.market.views import contracts, deals, registry, stats

app_name = "market"

urlpatterns = [
    path("", deals.my_deals, name="my-deals"),
    # Inquiries (views/deals.py)
    path("inquire/<path:reference>/", deals.open_inquiry, name="inquire"),
    path("inquiries/<int:pk>/", deals.inquiry_detail, name="inquiry"),
    path("inquiries/<int:pk>/message/", deals.post_message, name="inquiry-message"),
    path("inquiries/<int:pk>/upload/", deals.upload, name="inquiry-upload"),
    path("inquiries/<int:pk>/agreement/", deals.propose_agreement, name="inquiry-agreement"),
    path("inquiries/<int:pk>/close/", deals.close_inquiry, name="inquiry-close"),
    path("agreements/<int:pk>/answer/", deals.answer_agreement, name="agreement-answer"),
    path("attachments/<int:pk>/", deals.download, name="attachment"),
    # Contracts (views/contracts.py)
    path("inquiries/<int:pk>/contract/", contracts.create_from_inquiry, name="contract-from-inquiry"),
    path("contracts/new/", contracts.create, name="contract-create"),
    path("contracts/<int:pk>/", contracts.detail, name="contract"),
    path("contracts/<int:pk>/edit/", contracts.edit, name="contract-edit"),
    path("contracts/<int:pk>/upload/", contracts.upload, name="contract-upload"),
    path("contracts/<int:pk>/documents/<int:document_pk>/remove/", contracts.remove_document,
         name="contract-document-remove"),
    path("contracts/<int:pk>/documents/<int:document_pk>/replace/", contracts.replace_document,
         name="contract-document-replace"),
    path("contracts/<int:pk>/register/", contracts.submit_registration, name="contract-register"),
    path("contracts/<int:pk>/payments/", contracts.record_payment, name="contract-payment"),
    path("contracts/<int:pk>/payments/<int:payment_pk>/withdraw/", contracts.withdraw_payment,
         name="contract-payment-withdraw"),
    path("milestones/<int:pk>/done/", contracts.milestone_done, name="milestone-done"),
    # Registration (views/registry.py)
    path("registry/", registry.queue, name="registry-queue"),
    path("registrations/<int:pk>/", registry.detail, name="registration"),
    path("registrations/<int:pk>/certificate.pdf", registry.certificate, name="certificate"),
    path("registrations/<int:pk>/<slug:action>/", registry.act, name="registration-act"),
    # Statistics (views/stats.py)
    path("statistics/", stats.statistics_page, name="statistics"),
    path("statistics.xlsx", stats.statistics_export, name="statistics-export"),
]
