import re

import pytest

from services.social.text import hashtags, mentions, validate_post_text


def test_hashtags_are_lowercased_distinct_and_ignore_pure_numbers():
    assert hashtags("Go #Python and #python, #2024 #data_eng!") == ["python", "data_eng"]


def test_hashtags_inside_words_or_urls_are_not_tags():
    assert hashtags("email a#b and http://x.org/#frag") == []


def test_mentions_are_parsed_without_trailing_dot():
    assert mentions("hi @Ann. and @bob_2, not a@b") == ["ann", "bob_2"]


def test_post_text_limits_count_code_points():
    assert validate_post_text("  é" * 1 + "x" * 279) == "é" + "x" * 279
    with pytest.raises(ValueError, match="at most 280"):
        validate_post_text("x" * 281)
    with pytest.raises(ValueError, match="empty"):
        validate_post_text("   ")


@pytest.mark.parametrize(
    "bad, says", [("a\ud800", "surrogate U+D800"), ("\udfff", "U+DFFF"), ("a\x00b", "NUL")]
)
def test_clean_text_refuses_lone_surrogates_and_nul_saying_which_and_where(bad, says):
    from pydantic import TypeAdapter, ValidationError

    from services.social.text import CleanText

    with pytest.raises(ValidationError, match=re.escape(says)):
        TypeAdapter(CleanText).validate_python(bad)
    with pytest.raises(ValueError, match=re.escape(says)):
        validate_post_text(bad)


def test_clean_text_keeps_surrogate_pairs_and_other_text():
    from pydantic import TypeAdapter

    from services.social.text import CleanText

    assert TypeAdapter(CleanText).validate_python("héllo 😀 #x") == "héllo 😀 #x"
