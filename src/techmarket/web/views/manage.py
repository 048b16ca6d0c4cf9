from django.http import HttpResponse


def home(request):
    return HttpResponse("")


my_listings = listing_create = listing_edit = listing_transition = home
