"""Article bodies: Markdown to HTML, then sanitised like every other HTML we show."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from parley.core.text import sanitize_html

# "js-default": CommonMark plus tables and strikethrough, raw HTML off (shown as text),
# unsafe link schemes refused. nh3 then holds the output to the project's allow-list.
_markdown = MarkdownIt("js-default")


def render_markdown(body: str) -> SafeString:
    return mark_safe(sanitize_html(_markdown.render(body)))  # noqa: S308 - sanitised just above
