"""The character n-gram view: typos, inflections and unsegmented Chinese meet their entry; the two answer bars."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import MatchSettings
from bot.knowledge import ngrams
from bot.knowledge.matcher import Answer, DidYouMean, Matcher, Suggestion
from bot.knowledge.ngrams import NgramIndex, document_frequencies, grams, normalized_words, word_grams
from bot.knowledge.normalize import normalize

ENTRIES = (
    ("Are community fine-tuners affiliated with Alibaba?", "Who maintains the community fine-tunes?"),
    ("What does the hosted API cost per token?", "How is Model Studio billed?"),
    ("通义千问是谁开发的？", "Who develops Qwen?"),
)


def _index() -> NgramIndex:
    return NgramIndex([[normalize(text) for text in texts] for texts in ENTRIES], max_chars=1000)


def test_misspelt_and_inflected_words_still_meet_their_entry() -> None:
    """No word of "affilated comunity finetuners" is spelt as in the FAQ, yet its n-grams find the entry."""
    index = _index()
    vector = index.vector("are the comunity finetuners affilated w alibaba")
    scores = [index.similarity(vector, i) for i in range(len(ENTRIES))]
    assert scores[0] > 2 * max(scores[1:])


def test_traditional_chinese_is_folded_and_unsegmented_chinese_meets_its_phrasing() -> None:
    """通義千問 (traditional) has the n-grams of 通义千问; an entry's Chinese phrasings have a centroid of their own."""
    assert grams("通義千問", max_chars=100) == grams("通义千问", max_chars=100)
    index = _index()
    vector = index.vector("通義千問到底是誰開發的")
    scores = [index.similarity(vector, i) for i in range(len(ENTRIES))]
    assert scores.index(max(scores)) == 2
    assert scores[2] > 0.5


def test_a_phrasing_of_the_entry_scores_in_full() -> None:
    """Measured against how close its own phrasings come to the centroid, a phrasing is as close as can be."""
    index = _index()
    assert index.similarity(index.vector("How is Model Studio billed?"), 1) > 0.99


def test_n_grams_reorder_the_ranking(shipped_matcher: Matcher) -> None:
    """The n-grams widen the lead of the right entry where words alone meet it only partly ("finetuners")."""
    question = "who are the finetuners behind qwen variants"
    words_only = Matcher(shipped_matcher.faq, settings=MatchSettings(ngram_share=0.0))
    assert shipped_matcher.rank(question)[0].entry.id == "community-fine-tunes"
    blended = {s.entry.id: s.score for s in shipped_matcher.rank(question, limit=5)}
    plain = {s.entry.id: s.score for s in words_only.rank(question, limit=5)}
    assert blended["community-fine-tunes"] - max(v for k, v in blended.items() if k != "community-fine-tunes") > (
        plain["community-fine-tunes"] - max(v for k, v in plain.items() if k != "community-fine-tunes")
    )


def test_a_message_naming_no_topic_word_needs_more_to_be_answered(shipped_matcher: Matcher) -> None:
    """The same ranking answers a message that names Qwen, and is only a close call for one that does not."""
    entries = shipped_matcher.faq.entries
    s = shipped_matcher.settings
    middle = (s.answer_threshold + s.answer_threshold_off_topic) / 2
    ranked = [Suggestion(entries[0], middle), Suggestion(entries[1], 5.0)]
    assert isinstance(shipped_matcher.decide(ranked, on_topic=True), Answer)
    assert isinstance(shipped_matcher.decide(ranked, on_topic=False), DidYouMean)


def test_an_faq_without_topic_words_has_a_bar_of_its_own(shipped_matcher: Matcher) -> None:
    """With no topic words, nothing tells on-topic messages apart: one bar, between the two, for every message."""
    topicless = Matcher(replace(shipped_matcher.faq, topic=()))
    s = topicless.settings
    middle = s.answer_threshold_no_topic
    assert s.answer_threshold <= middle <= s.answer_threshold_off_topic
    entries = topicless.faq.entries
    above = [Suggestion(entries[0], middle + 1), Suggestion(entries[1], 5.0)]
    below = [Suggestion(entries[0], middle - 1), Suggestion(entries[1], 5.0)]
    for on_topic in (True, False):
        assert isinstance(topicless.decide(above, on_topic=on_topic), Answer)
        assert isinstance(topicless.decide(below, on_topic=on_topic), DidYouMean)


_TEXTS = st.lists(
    st.text(alphabet=st.sampled_from(list("ab9_ -.通義千问云é\u00a0")), max_size=15) | st.text(), max_size=4
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_is_cut_into_the_words_between_its_separators(text: str) -> None:
    """Text without Chinese (found in one scan) is cut as the separators would cut it."""
    assert normalized_words(text) == [piece for piece in ngrams._PIECE.split(text) if piece]


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, max_size=12))
def test_document_frequencies_count_what_cutting_every_word_finds(entries: list[list[str]]) -> None:
    """Scanning Chinese and uniting Latin words' entries counts what cutting each entry's words does."""
    normalized = [[normalize(text) for text in texts] for texts in entries]
    expected: Counter[str] = Counter()
    for texts in normalized:
        expected.update({gram for text in texts for word in normalized_words(text) for gram in word_grams(word)})
    assert document_frequencies(normalized) == expected


@pytest.mark.parametrize("dense_cells", [ngrams.DENSE_CELLS, 0], ids=["one dense matrix", "centroid by centroid"])
def test_centroids_built_with_arrays_are_the_plain_ones(
    shipped_matcher: Matcher, dense_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numpy's centroids and cosines give every question the same similarity, but for the last bits: all of a small
    FAQ's centroids in one matrix, or a large FAQ's candidates' one by one."""
    monkeypatch.setattr(ngrams, "DENSE_CELLS", dense_cells)
    phrasings = [[normalize(text) for text in entry.phrasings] for entry in shipped_matcher.faq.entries]
    plain, arrays = NgramIndex(phrasings, max_chars=1000), NgramIndex(phrasings, max_chars=1000, arrays=True)
    assert arrays._dense == bool(dense_cells)
    questions = ["who builds qwen?", "千问能商用吗", "licnese for finetuners", "Qwen 的 license 是 Apache 2.0 吗", ""]
    everyone = range(len(phrasings))
    for question in questions + [text for texts in phrasings[::7] for text in texts[::5]]:
        vector = plain.vector(question)
        expected = [plain.similarity(vector, index) for index in everyone]
        assert plain.similarities(normalize(question), everyone) == expected
        found = arrays.similarities(normalize(question), everyone)
        assert all(abs(a - b) < 1e-12 for a, b in zip(found, expected, strict=True)), question
        assert arrays.similarities(normalize(question), [3, 0, 3]) == [found[3], found[0], found[3]]
