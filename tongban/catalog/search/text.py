"""Chinese text into index terms: jieba words, single characters and pinyin.

The index and the queries go through the same functions, so a query term is spelt the way the
index spells it. Terms are lower-case runs of Chinese characters or of ASCII letters and
digits, joined by spaces: SQLite's ``unicode61`` tokenizer and PostgreSQL's ``simple``
configuration both split such text on the spaces and keep each term whole.

jieba loads its own dictionary (shipped in the package, nothing is downloaded) plus ours,
``catalog/data/gov_terms.txt``, once per process on first use (about a second; jieba keeps a
cache of its prefix dictionary in the temporary directory).
"""

import functools
import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "gov_terms.txt"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TERM = re.compile(f"[{_HAN}]+|[a-z0-9]+")
_HAN_ONLY = re.compile(f"[{_HAN}]+")
_ASCII_LETTERS = re.compile("[a-z]+")
_DICTIONARY_LINE = re.compile(r"^(?P<word>\S+)(?:\s+(?P<freq>\d+))?(?:\s+(?P<tag>[a-z]+))?$")

# Words a person puts around what they look for ("我要办营业执照", "怎么办理社保卡").
_STOPWORDS = """
我 要 想 办 的 了 吗 呢 啊 吧 和 与 及 或 在 去 把 给 请 是 有 怎 么 哪 个 一下
我要 我想 想要 需要 如何 怎么 怎样 怎么样 哪里 在哪 哪儿 什么 可以 能否 是否
办理 办事 申请 手续 流程 在线 网上
"""
QUERY_STOPWORDS = frozenset(_STOPWORDS.split())

_lock = threading.Lock()
_segmenter = None


def segmenter():
    """The process's jieba tokenizer with the government-terms dictionary, loaded once."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = _load_segmenter()
    return _segmenter


def _load_segmenter():
    with warnings.catch_warnings():
        # jieba 0.42 has invalid escapes in its regular expressions; compiling them warns.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()  # our own instance: the global one stays untouched
    tokenizer.initialize()
    for word, freq, tag in read_dictionary(DICTIONARY):
        tokenizer.add_word(word, freq, tag)
    return tokenizer


def read_dictionary(path: Path) -> Iterator[tuple[str, int | None, str | None]]:
    """``(word, frequency or None, tag or None)`` for each line; ``#`` starts a comment."""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _DICTIONARY_LINE.match(line)
        if not found:
            raise ValueError(f"{path.name}:{number}: 应为“词语 [词频] [词性]” / bad line {raw!r}")
        freq = found["freq"]
        yield found["word"], int(freq) if freq else None, found["tag"]


def words(text: str) -> list[str]:
    """jieba's precise mode (no HMM guessing), lower-case, Chinese and ASCII runs apart.

    NFKC first: full-width letters and digits typed with a Chinese input method (ＹＹＺＺ)
    become ASCII.
    """
    if not text:
        return []
    found = []
    for word in segmenter().cut(unicodedata.normalize("NFKC", text).lower(), HMM=False):
        found.extend(_TERM.findall(word))
    return found


def search_words(text: str) -> tuple[str, ...]:
    """Search-engine mode: each word, preceded by every dictionary word inside it.

    jieba's ``cut_for_search`` only adds the two- and three-character words inside a long
    word; this adds the longer ones too, so ``建设工程规划许可证`` is found by ``建设工程``
    and ``规划许可`` as well. Short texts (names of departments, materials …) repeat across
    items and are remembered.
    """
    if len(text) <= SHORT_TEXT:
        return _short_search_words(text)
    return tuple(_search_words(text))


SHORT_TEXT = 40


@functools.lru_cache(maxsize=50_000)
def _short_search_words(text: str) -> tuple[str, ...]:
    return tuple(_search_words(text))


def _search_words(text: str) -> Iterator[str]:
    frequencies = segmenter().FREQ
    for word in words(text):
        if len(word) > 2 and _HAN_ONLY.fullmatch(word):
            for size in range(2, len(word)):
                for start in range(len(word) - size + 1):
                    inner = word[start : start + size]
                    if frequencies.get(inner):
                        yield inner
        yield word


def is_han(term: str) -> bool:
    return bool(_HAN_ONLY.fullmatch(term))


def initials(word: str) -> str:
    """Pinyin initials of a Chinese word (营业执照 → yyzz); '' when a character has none."""
    return _pinyin(word)[1]


def full_pinyin(word: str) -> str:
    """Pinyin without tones (营业执照 → yingyezhizhao); '' when a character has none."""
    return _pinyin(word)[0]


@functools.lru_cache(maxsize=50_000)
def _pinyin(word: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(word)
    spelt = "".join(syllables)
    if not _ASCII_LETTERS.fullmatch(spelt):
        return "", ""
    return spelt, "".join(syllable[0] for syllable in syllables)


def name_terms(name: str) -> list[str]:
    """What an item's name contributes: its words, each character, and pinyin.

    Every character alone lets a one-character query (``户``) find the name. The initials of
    the whole name are indexed from each position onwards (营业执照遗失补领 → yyzzysbl,
    yzzysbl, …), so a prefix query finds initials anywhere in the name (``yyzz``, ``ysbl``).
    Each word also gets its full pinyin (``yingyezhizhao``) and its initials.
    """
    found = list(search_words(name))
    found.extend(dict.fromkeys(ch for run in _HAN_ONLY.findall(name) for ch in run))
    found.extend(pinyin_terms(found))
    whole = "".join(initials(run) for run in _HAN_ONLY.findall(name))
    found.extend(whole[start:] for start in range(len(whole) - 1))
    return found


def pinyin_terms(terms: Iterable[str]) -> list[str]:
    """Initials and full pinyin of each Chinese word of two characters or more."""
    found = []
    for term in dict.fromkeys(terms):
        if len(term) > 1 and is_han(term):
            found.extend(spelt for spelt in (initials(term), full_pinyin(term)) if spelt)
    return found


def text_terms(*texts: str) -> list[str]:
    """Search-engine-mode words of free text, without single characters (mostly particles)."""
    return [term for text in texts for term in search_words(text) if len(term) > 1]


def code_terms(*codes: str) -> list[str]:
    """Codes as terms: their ASCII letter and digit runs, lower-case."""
    return [term for code in codes for term in _TERM.findall(code.lower())]


def join(terms: Iterable[str]) -> str:
    return " ".join(terms)
