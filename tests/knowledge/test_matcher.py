"""The matcher: answers, close calls and abstentions, on a small FAQ and on the shipped one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, utils

from bot.knowledge import matcher as matcher_module
from bot.knowledge.loader import load_faq
from bot.knowledge.matcher import Answer, DidYouMean, Matcher, NoMatch, NotCovered, Suggestion
from tests.conftest import entry_yaml, small_faq
from tests.support.ranking import same, same_outcome, scored


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """Four entries, two of them deliberately close (two kinds of licence)."""
    entries = (
        entry_yaml(
            "weights-licence",
            "What licence covers the downloadable weights?",
            [
                "weights licence",
                "licence of the open weights",
                "can I use the weights",
                "weights terms",
                "open weights legal",
            ],
        )
        + entry_yaml(
            "api-licence",
            "What licence covers the hosted API?",
            ["api licence", "licence of the hosted api", "api terms", "hosted api legal", "cloud api terms of use"],
        )
        + entry_yaml(
            "sla",
            "Is there an SLA for the hosted API?",
            ["sla?", "uptime guarantee", "service level agreement", "is it reliable enough", "what if it goes down"],
        )
        + entry_yaml(
            "who-builds",
            "Who builds Qwen and where does the team sit?",
            ["who makes qwen", "which team trains qwen", "who develops qwen", "qwen authors", "who is behind qwen"],
        )
    )
    folder = small_faq(
        tmp_path_factory.mktemp("small"), entries, aliases="topic: [qwen]\naliases:\n  license: [licence]\n"
    )
    return Matcher(load_faq(folder))


def test_a_clear_question_is_answered(small: Matcher) -> None:
    """A paraphrase with the distinctive words gets the entry."""
    outcome = small.match("is there any uptime guarantee on the hosted api?")
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == "sla"
    assert 0 <= outcome.score <= 100


def test_a_vague_question_ranks_both_candidates(small: Matcher) -> None:
    """'licence?' fits both licence entries: both lead the ranking."""
    assert {s.entry.id for s in small.rank("licence?", limit=2)} == {"weights-licence", "api-licence"}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((80.0, 20.0), Answer),  # clear winner
        ((50.0, 49.0), DidYouMean),  # close call: within the margin
        ((64.0, 63.5), DidYouMean),  # still a close call, just under the tie threshold
        ((70.0, 69.5), Answer),  # both sure: the best answers, whatever the runner-up scores
        ((30.0, 10.0), DidYouMean),  # below the answer threshold, above the suggestion one
        ((10.0, 5.0), NoMatch),
    ],
)
def test_decision_rule(small: Matcher, scores: tuple[float, float], expected: type) -> None:
    """Answer a clear winner, suggest on a close call or a weak match, abstain below that."""
    entries = small.faq.entries
    ranked = [Suggestion(entries[0], scores[0]), Suggestion(entries[1], scores[1])]
    outcome = small.decide(ranked)
    assert isinstance(outcome, expected)
    if isinstance(outcome, DidYouMean):
        assert [s.score for s in outcome.suggestions] == [s for s in scores if s >= small.settings.suggest_threshold]


@pytest.mark.parametrize("chatter", ["thanks!", "lol", "", "   ", "asdfgh qwerty", ":+1:", "good morning all :wave:"])
def test_chatter_gets_no_match(small: Matcher, chatter: str) -> None:
    """Thanks, greetings, emoji and gibberish are not questions the FAQ answers."""
    assert isinstance(small.match(chatter), NoMatch)


def test_one_shared_word_does_not_make_a_match(small: Matcher) -> None:
    """token_set_ratio scores a subset 100; the matcher does not fall for it."""
    question = "the api for our internal lunch ordering bot keeps timing out"
    assert fuzz.token_set_ratio("api", "Is there an SLA for the hosted API?", processor=utils.default_process) == 100
    assert not isinstance(small.match(question), Answer)


def test_case_and_punctuation_do_not_matter(small: Matcher) -> None:
    """rapidfuzz 3 no longer lower-cases by default; normalisation does it first."""
    assert small.rank("WHO BUILDS QWEN???") == small.rank("who builds qwen")


def test_slack_markup_does_not_matter(small: Matcher) -> None:
    """Mentions, channel links, emoji and formatting are stripped before matching."""
    plain = small.rank("who builds qwen")
    marked = small.rank("<@U024BE7LH> *who* builds `qwen` :thinking_face: <#C1|ml>")
    assert [s.entry.id for s in marked] == [s.entry.id for s in plain]


def test_typos_are_tolerated(small: Matcher) -> None:
    """A misspelt distinctive word still finds its entry."""
    outcome = small.match("uptime guarentee on the hosted api?")
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == "sla"


def test_off_topic_words_count_against_a_match(small: Matcher) -> None:
    """Naming another vendor makes a question about that vendor, not about Qwen."""
    assert isinstance(small.match("who makes qwen?"), Answer)
    assert not isinstance(small.match("who makes claude?"), Answer)


def test_long_input_is_bounded(small: Matcher) -> None:
    """A 40,000-character message is matched on its first characters only: what follows is never read."""
    long = "is there an uptime guarantee? " + "blah " * 8_000
    assert small.rank(long + " Who makes qwen? What licence are the api terms?") == small.rank(long)
    assert isinstance(small.match(long), Answer)


def test_a_question_inside_a_long_message_is_found(small: Matcher) -> None:
    """Context sentences before the question do not drown it."""
    message = (
        "We run a customer support tool in three regions and the product owner worries a lot. "
        "Marketing already announced the launch date. Is there an SLA for the hosted API?"
    )
    outcome = small.match(message)
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == "sla"


words = st.sampled_from(
    "who builds qwen licence weights api hosted sla uptime team the a lunch pizza 千问 许可证 "
    "guarentee licnese :wave: <@U1> ? ! 2.5".split()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=12).map(" ".join) | st.text(max_size=80))
def test_fast_ranking_agrees_with_the_reference(small: Matcher, question: str) -> None:
    """The indexed, bounded ranking equals scoring every entry from scratch."""
    fast, reference = scored(small.rank(question, limit=3)), scored(small.rank_all(question, limit=3))
    assert same(fast, reference), (fast, reference)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gets_an_outcome(small: Matcher, question: str) -> None:
    """Any Unicode at all yields one of the three outcomes, never an exception."""
    outcome = small.match(question)
    assert isinstance(outcome, Answer | DidYouMean | NotCovered | NoMatch)
    assert 0 <= outcome.score <= 100


def test_shipped_faq_answers_with_its_layer(shipped_matcher: Matcher) -> None:
    """On the shipped FAQ an answer carries its layers, primary first."""
    outcome = shipped_matcher.match("who actually trains qwen?")
    assert isinstance(outcome, Answer)
    assert outcome.entry.layers[0] == "tongyi-research"


def test_shipped_faq_understands_chinese(shipped_matcher: Matcher) -> None:
    """Chinese with no spaces, and mixed Chinese and English, find their entries.

    "通义千问到底是谁在做？" ranks the right entry first but, since the character
    n-grams joined the score, as a close call with the Tongyi-vs-Qwen entry
    (both name 通义千问); the plainer "通义千问是谁做的？" is answered.
    """
    ranked = shipped_matcher.rank("通义千问到底是谁在做？")
    who = shipped_matcher.match("通义千问是谁做的？")
    licence = shipped_matcher.match("Qwen 的 license 是 Apache 2.0 吗")
    assert ranked[0].entry.layer == "tongyi-research"
    assert isinstance(who, Answer)
    assert who.entry.layer == "tongyi-research"
    assert isinstance(licence, Answer)
    assert "hugging-face" in licence.entry.layers


def test_reference_agrees_on_the_dev_set(shipped_matcher: Matcher) -> None:
    """On real phrasings and the shipped FAQ, fast and reference rankings agree."""
    import yaml

    dev = yaml.safe_load((Path(__file__).parent.parent / "dev_set.yaml").read_text(encoding="utf-8"))
    for question in [item["q"] for item in dev["in_scope"]] + dev["off_topic"]:
        assert same(scored(shipped_matcher.rank(question)), scored(shipped_matcher.rank_all(question))), question


@pytest.fixture(scope="module", params=["bounded walk", "arrays"])
def large(request: pytest.FixtureRequest, shipped_matcher: Matcher) -> tuple[Matcher, list[str]]:
    """3,000 generated entries over a Zipf vocabulary: common terms sit in hundreds of entries.

    Ranked both ways a large FAQ can be: the bounded walk of the posting lists, and numpy arrays.
    """
    import random
    from dataclasses import replace

    rng = random.Random(3)
    words = [f"w{n}x" for n in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    template = shipped_matcher.faq.entries[0]
    entries = []
    for number in range(3000):
        core = rng.choices(words, weights, k=8)
        phrasings = tuple(" ".join(rng.sample(core, k=5)) + f" e{number}z{k}" for k in range(6))
        entries.append(
            replace(
                template,
                id=f"e{number}",
                question=phrasings[0],
                alternates=phrasings[1:],
                answer=" ".join(rng.choices(words, weights, k=20)),
                see_also=(),
            )
        )
    faq = replace(shipped_matcher.faq, entries=tuple(entries), aliases={}, topic=())
    queries = [" ".join(rng.choices(words, weights, k=rng.randint(1, 8))) for _ in range(150)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher_module, "ARRAY_MIN_ENTRIES", 1000 if request.param == "arrays" else 10**9)
        large = Matcher(faq)
    assert (large._arrays is not None) == (request.param == "arrays")
    return large, queries


def test_fast_ranking_agrees_with_the_reference_on_a_large_faq(large: tuple[Matcher, list[str]]) -> None:
    """With common terms left out of the candidate walk, the ranking is still exactly the reference's."""
    matcher, queries = large
    for query in queries:
        assert same(scored(matcher.rank(query, limit=3)), scored(matcher.rank_all(query, limit=3))), query


@pytest.fixture(scope="module")
def shipped_arrays(shipped_matcher: Matcher) -> Matcher:
    """The shipped FAQ ranked with numpy arrays, as a large FAQ would be."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher_module, "ARRAY_MIN_ENTRIES", 1)
        return Matcher(shipped_matcher.faq)


def test_arrays_rank_like_the_reference_on_real_questions(shipped_matcher: Matcher, shipped_arrays: Matcher) -> None:
    """On people's phrasings, the array ranking is the reference ranking, and the small FAQ's own."""
    import yaml

    dev = yaml.safe_load((Path(__file__).parent.parent / "dev_set.yaml").read_text(encoding="utf-8"))
    questions = [item["q"] for item in dev["in_scope"]] + dev["off_topic"] + dev["near_domain"]
    for question in questions:
        arrays = scored(shipped_arrays.rank(question, limit=6))
        assert same(arrays, scored(shipped_arrays.rank_all(question, limit=6))), question
        assert same(arrays, scored(shipped_matcher.rank(question, limit=6))), question
        assert same_outcome(shipped_arrays.match(question), shipped_matcher.match(question)), question


def test_a_server_matcher_on_arrays_matches_like_the_plain_one(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``arrays=True``, as the server builds its matcher: numpy on the shipped FAQ, the same outcomes and
    rankings as the plain matcher, built or restored from a store (which keeps a small FAQ's state either way)."""
    import yaml

    from bot.knowledge.index_store import IndexStore

    store = IndexStore(tmp_path / "index")
    built = Matcher(shipped_matcher.faq, store=store, arrays=True)
    with monkeypatch.context() as patch:
        patch.setattr(Matcher, "_build", lambda self: pytest.fail("built, not restored"))
        restored = Matcher(shipped_matcher.faq, store=store, arrays=True)
        plain = Matcher(shipped_matcher.faq, store=store)
    assert built._arrays is not None
    assert restored._arrays is not None
    assert plain._arrays is None
    dev = yaml.safe_load((Path(__file__).parent.parent / "dev_set.yaml").read_text(encoding="utf-8"))
    for question in [item["q"] for item in dev["in_scope"]] + dev["off_topic"] + dev["near_domain"]:
        expected = shipped_matcher.match(question)
        assert same_outcome(built.match(question), expected), question
        assert same_outcome(restored.match(question), expected), question
        assert same_outcome(plain.match(question), expected), question


def test_the_served_matcher_uses_arrays() -> None:
    """The server's matcher answers many questions: it pays numpy's import once and matches with arrays."""
    from bot.config import DEFAULT_FAQ_DIR, MatchSettings
    from bot.knowledge.live import LiveKnowledge

    assert LiveKnowledge(DEFAULT_FAQ_DIR, MatchSettings()).matcher._arrays is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(words, max_size=12).map(" ".join) | st.text(max_size=80))
def test_arrays_agree_with_the_reference_on_any_text(shipped_arrays: Matcher, question: str) -> None:
    fast, reference = scored(shipped_arrays.rank(question, limit=3)), scored(shipped_arrays.rank_all(question, limit=3))
    assert same(fast, reference), (fast, reference)


def test_array_coverages_are_the_plain_sums() -> None:
    """Each entry's covered weight and best phrasing share, as the plain loops add them up."""
    from bot.knowledge.arrays import ArrayIndex

    credits = [{"a": 1.0, "b": 0.6}, {"b": 1.0, "c": 1.0}, {"d": 1.0}]
    phrasings = [[frozenset({"a"}), frozenset({"a", "c"})], [frozenset({"b", "c"})], [frozenset({"d"})]]
    norms = [2.0, 4.0, 3.0, 1.5]
    covered, best = ArrayIndex(credits, phrasings, norms).coverages({"a": 0.5, "b": 2.0, "c": 1.0, "x": 9.0})
    assert covered.tolist() == [0.5 + 0.6 * 2.0, 2.0 + 1.0, 0.0]
    assert best.tolist() == [max(0.5 / 2.0, 1.5 / 4.0), 3.0 / 3.0, 0.0]
