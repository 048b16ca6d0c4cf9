from django.http import HttpResponse


def home(request):
    return HttpResponse("")


review_queue = review_listing = home
