"""How alike two request descriptions are, for flagging repeats. Character bigrams suit
Chinese without a segmenter: "2024年食品抽检结果" and "请公开2024年食品抽检的结果" share
most bigrams."""

import re

_NOISE = re.compile(r"[\s，。、；：！？“”‘’（）《》【】,.;:!?()\[\]<>\"'-]+")
_BOILERPLATE = ("申请公开", "请公开", "请求公开", "申请", "公开", "贵单位", "贵局", "您好", "谢谢")


def _bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text or "")
    for phrase in _BOILERPLATE:
        text = text.replace(phrase, "")
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text} if text else set()


def description_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams, 0..1."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))
