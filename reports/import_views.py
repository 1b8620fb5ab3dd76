"""Excel import for departments (staff only): template download, upload and preview, confirmation."""


def upload(request):
    raise NotImplementedError


def template(request):
    raise NotImplementedError


def confirm(request):
    raise NotImplementedError
