"""The API's JSON renderer (api.renderers) writes the bytes DRF's would,
faster; what orjson can't write goes to DRF's own renderer."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from api.renderers import JSONRenderer

MOMENT = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "data",
    [
        {"id": "1", "count": 3, "ratio": 0.1, "none": None, "flags": [True, False], "nested": {"a": [1, {}]}},
        [{"text": "é, ü, 日本語 and an emoji 🐘"}],
        {"separators": "line\u2028paragraph\u2029end"},
        {
            "when": MOMENT,
            "day": MOMENT.date(),
            "time": datetime.time(1, 2, 3),
            "naive": MOMENT.replace(tzinfo=None),
        },
        {"amount": decimal.Decimal("1.20"), "uuid": uuid.UUID(int=5), "lazy": gettext_lazy("Home")},
        {3: "an int key", "set": {1}, "tuple": (1, 2)},
        {"past 64 bits": 2**70},
        "a string",
        [],
    ],
)
def test_the_bytes_are_drfs(data):
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_nothing_renders_empty():
    assert JSONRenderer().render(None) == b""


def test_an_indent_asked_for_is_honoured():
    pretty = JSONRenderer().render({"a": [1]}, accepted_media_type="application/json; indent=2")
    assert pretty == b'{\n  "a": [\n    1\n  ]\n}'


def test_the_api_answers_through_it(client, db):
    response = client.get("/api/v1/timelines/public")
    assert response.status_code == 200
    assert response.json() == []
