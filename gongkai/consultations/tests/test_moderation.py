import pytest

from gongkai.core import moderation
from gongkai.core.errors import DomainError
from gongkai.core.models import ModerationWord
from gongkai.core.services import moderation as services


def test_platform_words_are_found_with_their_written_positions():
    text = "你这个傻 * 逼，ＦＵＣＫ！"
    hits = moderation.word_hits(text, agency=None)
    assert [(h.word, text[h.start:h.end]) for h in hits] == [("傻逼", "傻 * 逼"), ("fuck", "ＦＵＣＫ")]


def test_latin_words_match_only_as_whole_words():
    assert moderation.words_in("USB接口 this box sb", ["sb"]) == [moderation.WordHit("sb", 15, 17)]


def test_longest_word_wins_and_hits_do_not_overlap():
    hits = moderation.words_in("他妈的", ["妈的", "他妈的"])
    assert hits == [moderation.WordHit("他妈的", 0, 3)]


def test_clean_text_has_no_hits():
    assert moderation.word_hits("建议第三条的期限改为十五个工作日。", agency=None) == []


@pytest.mark.django_db
def test_an_agencys_words_apply_to_it_and_to_agencies_below(tree, bureau, other_agency):
    ModerationWord.objects.create(agency=tree["city"], word="黄牛")
    ModerationWord.objects.create(agency=bureau, word="代办")
    assert [h.word for h in moderation.word_hits("找黄牛代办", agency=bureau)] == ["黄牛", "代办"]
    assert [h.word for h in moderation.word_hits("找黄牛代办", agency=other_agency)] == ["黄牛"]
    assert moderation.word_hits("找黄牛代办", agency=None) == []


@pytest.mark.django_db
def test_the_office_adds_and_removes_words_and_others_may_not(bureau, office, leader):
    row = services.moderation_word_add(actor=office, agency=bureau, word=" ＡＢＣ代办 ")
    assert row.word == "abc代办"
    with pytest.raises(DomainError, match="已在本机关词表中"):
        services.moderation_word_add(actor=office, agency=bureau, word="abc代办")
    with pytest.raises(DomainError, match="平台默认词表"):
        services.moderation_word_add(actor=office, agency=bureau, word="傻逼")
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.moderation_word_add(actor=leader, agency=bureau, word="别的")
    services.moderation_word_remove(actor=office, word=row)
    assert not ModerationWord.objects.exists()


@pytest.mark.django_db
def test_the_word_list_page(client_for, bureau, office, leader):
    client = client_for(office)
    response = client.post("/staff/moderation-words/", {"add-word": "黄牛", "add-note": "倒号"})
    assert response.status_code == 302
    page = client.get("/staff/moderation-words/?text=有黄牛倒号")
    assert "黄牛" in page.content.decode() and "命中" in page.content.decode()
    bad = client.post("/staff/moderation-words/", {"add-word": "！！"})
    assert bad.status_code == 400 and "不能只有标点符号" in bad.content.decode()
    client.logout()
    assert client_for(leader).post("/staff/moderation-words/", {"add-word": "x1"}).status_code == 403
