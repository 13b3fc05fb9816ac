# ruff: noqa: RUF001 - full-width punctuation is what the test is about
"""The offline handoff summary: the informative sentences, in order, deterministic."""

from parley.assist.summary import Line, split_sentences, summarise


def test_a_short_exchange_is_its_own_summary():
    lines = split_sentences("Ann", "My parcel is late. Where is it?")

    assert (
        summarise(lines, "Ann")
        == lines
        == [
            Line("Ann", "My parcel is late."),
            Line("Ann", "Where is it?"),
        ]
    )


def test_korean_full_stops_split_sentences_without_spaces():
    assert [line.text for line in split_sentences("민지", "배송이 늦어요。언제 오나요？")] == [
        "배송이 늦어요。",
        "언제 오나요？",
    ]


def test_a_long_conversation_keeps_the_problem_and_the_facts_in_order():
    chat = [
        ("Ann", "Hi. My order 1042 arrived with a broken lamp base."),
        ("Bea", "Hello Ann. Thanks for writing. Sorry about that."),
        ("Ann", "Thanks. It's fine. Ok."),
        ("Bea", "Could you send a photo of the damage?"),
        ("Ann", "Sure. Here it is. Thanks."),
        ("Bea", "Thanks. I have asked the warehouse to ship a replacement base."),
        ("Ann", "Great, thanks. Ok."),
        ("Bea", "The replacement ships Monday with tracking number ZX9920."),
        ("Ann", "Thanks! Bye."),
    ]
    lines = [line for who, text in chat for line in split_sentences(who, text)]

    summary = summarise(lines, "Ann")

    texts = [line.text for line in summary]
    assert "My order 1042 arrived with a broken lamp base." in texts
    assert "The replacement ships Monday with tracking number ZX9920." in texts
    assert not {"Ok.", "Thanks.", "Hi.", "Bye."} & set(texts)
    assert texts == [line.text for line in lines if line in summary]  # conversation order
    assert len(summary) < len(lines)
    assert summarise(lines, "Ann") == summary
