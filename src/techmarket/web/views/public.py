from django.http import HttpResponse


def home(request):
    return HttpResponse("")


catalogue = catalogue_export = organisation_detail = listing_detail = home
