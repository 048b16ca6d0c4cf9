"""Routes of the service ecosystem, mounted at /ecosystem/ (docs/ecosystem.md, "Pages")."""

from django.urls import path

from techmarket.ecosystem.views import brokers, complaints, institutions, registries

app_name = "ecosystem"

urlpatterns = [
    # Transfer institutions (views/institutions.py)
    path("", institutions.register, name="institutions"),
    path("institutions/file/", institutions.file_institution, name="institution-file"),
    path("institutions/mine/", institutions.my_filings, name="my-filings"),
    path("institutions/<int:pk>/", institutions.detail, name="institution"),
    path("institutions/<int:pk>/resubmit/", institutions.resubmit, name="institution-resubmit"),
    path("institutions/<int:pk>/approve/", institutions.approve, name="institution-approve"),
    path("institutions/<int:pk>/return/", institutions.return_filing, name="institution-return"),
    path("institutions/<int:pk>/cases/", institutions.add_case, name="institution-case-add"),
    path("institutions/<int:pk>/cases/<int:case_pk>/", institutions.case_file, name="institution-case"),
    path("institutions/<int:pk>/change/", institutions.file_change, name="institution-change"),
    path("institutions/<int:pk>/changes/<int:change_pk>/decide/", institutions.decide_change,
         name="institution-change-decide"),
    path("institutions/<int:pk>/sanction/", institutions.sanction, name="institution-sanction"),
    path("review/", institutions.review_queue, name="review"),
    # Brokers (views/brokers.py)
    path("brokers/", brokers.register, name="brokers"),
    path("brokers/new/", brokers.create, name="broker-new"),
    path("brokers/<int:pk>/", brokers.detail, name="broker"),
    path("brokers/<int:pk>/training/", brokers.training, name="broker-training"),
    path("brokers/<int:pk>/sanction/", brokers.sanction, name="broker-sanction"),
    path("brokers/<int:pk>/deal/", brokers.deal, name="broker-deal"),
    # Contract-registration institutions (views/registries.py)
    path("registries/", registries.register, name="registries"),
    path("registries/<slug:code>/", registries.detail, name="registry"),
    path("registries/<slug:code>/edit/", registries.edit, name="registry-edit"),
    path("registries/<slug:code>/registrars/", registries.appoint, name="registry-appoint"),
    path("registries/<slug:code>/registrars/<int:pk>/", registries.registrar, name="registry-registrar"),
    path("registries/<slug:code>/sanction/", registries.sanction, name="registry-sanction"),
    # Complaints (views/complaints.py)
    path("complain/", complaints.complain, name="complain"),
    path("complaints/<int:pk>/", complaints.detail, name="complaint"),
    path("complaints/<int:pk>/decide/", complaints.decide, name="complaint-decide"),
    path("platforms/<int:pk>/sanction/", complaints.platform_sanction, name="platform-sanction"),
]
