"""Reading typed values out of a JSON document, with the path of each value for error messages."""
from contextlib import contextmanager

from django.core.exceptions import ValidationError

from . import DataFormatError


class Reader:
    """Reads typed values out of nested dicts and lists, keeping the path for error messages."""

    def __init__(self):
        self.path: list[str] = []

    @contextmanager
    def at(self, part: str):
        self.path.append(part)
        try:
            yield
        finally:
            self.path.pop()

    def where(self) -> str:
        return "".join(self.path).lstrip(".") or "（文書全体）"

    def fail(self, message: str):
        raise DataFormatError(f"{self.where()}: {message}")

    def value(self, obj: dict, key: str, kind: type, *, required: bool = True, default=None, nullable: bool = False):
        with self.at(f".{key}"):
            if not isinstance(obj, dict):
                self.fail("オブジェクト（{…}）である必要があります。")
            if key not in obj:
                if required:
                    self.fail("必須の項目がありません。")
                return default
            value = obj[key]
            if value is None and nullable:
                return None
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                self.fail(f"整数である必要があります（値: {value!r}）。")
            if kind is int and value < 0:
                self.fail(f"0以上の整数である必要があります（値: {value!r}）。")
            if kind is not int and not isinstance(value, kind):
                expected = {str: "文字列", list: "配列", dict: "オブジェクト"}.get(kind, kind.__name__)
                self.fail(f"{expected}である必要があります（値: {value!r}）。")
            return value

    def items(self, obj: dict, key: str, *, required: bool = True):
        """Yield (index, item) of a list, with the path pointing at the item."""
        values = self.value(obj, key, list, required=required, default=[])
        for index, item in enumerate(values):
            with self.at(f".{key}[{index}]"):
                if not isinstance(item, dict):
                    self.fail("オブジェクト（{…}）である必要があります。")
                yield index, item

    def save(self, instance):
        """full_clean() then save(), turning validation errors into a message with the path."""
        try:
            instance.full_clean()
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            self.fail(f"内容が正しくありません（{details}）。")
        instance.save()
        return instance


