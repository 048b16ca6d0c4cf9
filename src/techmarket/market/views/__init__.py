"""Pages of technology trading and registration (Chinese). Views parse input, call techmarket.market.services
and render; the rules live in the services."""

from django.shortcuts import render


def forbidden(request, message: str, title: str = "无权操作"):
    return render(request, "web/forbidden.html", {"title": title, "message": message}, status=403)
