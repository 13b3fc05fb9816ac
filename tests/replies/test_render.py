"""The sandbox: only documented variables are filled; anything else is refused when saved
and never reaches settings, attributes or methods when rendered."""

import pytest

from parley.core.errors import InvalidInput
from parley.replies.render import MAX_BODY, check_body, placeholders, render

VALUES = {"customer.first_name": "Ann", "agent.name": "Bea Berg", "order.tracking_url": ""}


def test_documented_variables_are_filled_and_missing_ones_stay_visible():
    text = "Hi {{ customer.first_name }}, {{agent.name}} here. Track: {{ order.tracking_url }}"

    rendered = render(text, VALUES)

    assert rendered == "Hi Ann, Bea Berg here. Track: [order.tracking_url]"
    assert placeholders(rendered) == ["order.tracking_url"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ settings.SECRET_KEY }}", "settings.SECRET_KEY"),
        ("{{ customer.__class__ }}", "customer.__class__"),
        ("{{ agent.set_password }}", "agent.set_password"),
        ("{{ customer.name|upper }}", "customer.name|upper"),
        ("{{ customer }}", "customer"),
        ("{{ customer.identities.all }}", "customer.identities.all"),
    ],
    ids=["settings_case", "dunder_case", "method_case", "filter_case", "object_case", "chain_case"],
)
def test_unknown_variables_are_refused_when_saved_naming_them(text, named):
    with pytest.raises(InvalidInput) as refused:
        check_body(f"Hello {text}")

    assert refused.value.code == "unknown_variable"
    assert "{{ " + named + " }}" in refused.value.detail


@pytest.mark.parametrize(
    "text",
    ["{% load static %}{% get_static_prefix %}", "{# hidden #}", "{% debug %}"],
    ids=["load_case", "comment_case", "debug_case"],
)
def test_template_tags_are_refused(text):
    with pytest.raises(InvalidInput) as refused:
        check_body(text)

    assert refused.value.code == "template_tag"


def test_hostile_text_rendered_anyway_reads_nothing(settings):
    settings.SECRET_KEY = "s3cret-key-value"
    hostile = (
        "{{ settings.SECRET_KEY }} {{ customer.__class__ }} {{ agent.set_password }} "
        "{% load static %}{% debug %} {{ customer.__init__.__globals__ }}"
    )

    rendered = render(hostile, VALUES)

    assert "s3cret" not in rendered and "class" not in rendered.replace("__class__", "")
    assert "[settings.SECRET_KEY]" in rendered and "[agent.set_password]" in rendered
    assert "{% load static %}{% debug %}" in rendered  # plain text, never a tag


def test_huge_inputs_are_refused_and_the_longest_body_renders_as_written():
    with pytest.raises(InvalidInput) as refused:
        check_body("{{" * 500_000)
    assert refused.value.code == "too_long"

    # Bodies are at most MAX_BODY characters once saved: the worst of them, all openings.
    braces = "{{" * (MAX_BODY // 2 - 1) + "}}"
    rendered = render(braces, VALUES)
    assert rendered.startswith("{{" * (MAX_BODY // 2 - 110))  # only the last 200 are a "variable"
    assert rendered.endswith("]") and len(rendered) < len(braces)
    many = "{{ customer.first_name }}" * (MAX_BODY // 25)
    assert render(many, VALUES) == "Ann" * (MAX_BODY // 25)
