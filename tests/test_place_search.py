"""What a resident types on /public/ finds the service points they mean: words, everyday words, pinyin."""
from __future__ import annotations

import pytest

from workflow.place_search import matches

pytestmark = pytest.mark.backend_free

CANTEEN = ("玉浦爱心食堂", "宁河街11号", "爱心食堂")
CLINIC = ("昌亭卫生服务站", "西亭路2号", "卫生服务站")


@pytest.mark.parametrize("query", ["食堂", "玉浦", "宁河街", "吃饭", "我想吃饭", "shitang", "shi tang", "SHITANG",
                                   "yupu", "aixin", ""])
def test_a_canteen_is_found_by_what_people_type(query):
    assert matches(query, *CANTEEN)


@pytest.mark.parametrize("query", ["看病", "医生", "weisheng", "kanbing"])
def test_a_clinic_is_found_by_what_people_type(query):
    assert matches(query, *CLINIC) and not matches(query, *CANTEEN)


@pytest.mark.parametrize("query", ["健身", "s", "t", "shitangg", "%", "医院"])
def test_other_words_and_single_letters_find_nothing(query):
    # a single letter is in every pinyin: it finds nothing rather than everything
    assert not matches(query, *CANTEEN)
