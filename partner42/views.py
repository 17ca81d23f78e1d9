from django.http import HttpResponse, JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    return JsonResponse({"status": "ok"})


def metrics(request):
    return HttpResponse("")


def page_not_found(request, exception=None):
    return HttpResponse("not found", status=404)


def server_error(request):
    return HttpResponse("server error", status=500)
