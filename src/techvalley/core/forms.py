"""Shared form helpers: Django's field errors in Korean and English, and a service's ``BadInput``
placed on the field it names. Any app's form gets both by mixing in ``BilingualErrors``."""

from django import forms

from techvalley.core.validation import BadInput

#: Django's own field errors, Korean first and English second like every ``BadInput`` of the
#: platform (a page's errors are read by officials and by foreign companies alike).
BILINGUAL_ERRORS = {
    "required": "필수 항목입니다. / This field is required.",
    "invalid_choice": "목록에 있는 값을 골라 주세요. / Select one of the choices.",
    "max_length": "%(limit_value)d자 이하로 적어 주세요 (지금 %(show_value)d자). "
    "/ At most %(limit_value)d characters (it has %(show_value)d).",
    "min_value": "%(limit_value)s 이상이어야 합니다. / Must be at least %(limit_value)s.",
    "max_value": "%(limit_value)s 이하여야 합니다. / Must be at most %(limit_value)s.",
    "max_digits": "숫자가 너무 깁니다 (최대 %(max)s자리). / At most %(max)s digits.",
    "max_decimal_places": "소수점 아래는 %(max)s자리까지입니다. / At most %(max)s decimal places.",
    "max_whole_digits": "정수 부분이 너무 깁니다 (최대 %(max)s자리). / At most %(max)s digits before the point.",
}
INVALID = {
    forms.EmailField: "이메일 주소 형식이 아닙니다 (예: name@example.kr). / Enter a valid email address.",
    forms.DecimalField: "숫자를 적어 주세요. / Enter a number.",
    forms.IntegerField: "정수를 적어 주세요. / Enter a whole number.",
    forms.DateField: "날짜를 YYYY-MM-DD로 적어 주세요. / Enter a date as YYYY-MM-DD.",
    forms.TypedChoiceField: "목록에 있는 값을 골라 주세요. / Select one of the choices.",
}


class BilingualErrors:
    """Field errors in Korean and English (see ``BILINGUAL_ERRORS``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use_bilingual_errors()

    def use_bilingual_errors(self) -> None:
        """Set the messages on every field the form has now (call it again after adding fields)."""
        for field in self.fields.values():
            field.error_messages.update(BILINGUAL_ERRORS)
            for kind, message in INVALID.items():
                if isinstance(field, kind):
                    field.error_messages["invalid"] = message
                    break

    def add_bad_input(self, exc: BadInput) -> None:
        """A service's ``BadInput`` on the field it names, without the raw key it may start with
        (the field's label is shown next to it); on the form when it names no field of the form."""
        field = exc.field if exc.field in self.fields else None
        message = exc.message
        if exc.field and message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]
            if field is None:
                message = f"{exc.field}: {message}"
        self.add_error(field, message)
