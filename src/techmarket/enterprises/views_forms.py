"""What the enterprise pages do with a posted form: its errors as messages, or the service step run with the
step's own refusal shown (nothing changed) and the success message otherwise."""

from collections.abc import Callable

from django.contrib import messages

from techmarket.common.errors import DomainError


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def submit(request, form, step: Callable[[dict], object], success: str) -> tuple[bool, object]:
    """(done, what the step returned): `step(form.cleaned_data)` when the form is valid, with `success` shown."""
    if not form.is_valid():
        form_errors(request, form)
        return False, None
    try:
        result = step(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, result
