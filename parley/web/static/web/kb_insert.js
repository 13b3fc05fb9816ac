// Knowledge base beside the composer: type to search published articles; each result's
// Insert button carries data-insert, which the composer puts at the cursor.

export function installArticleLookup() {
  const panel = document.querySelector("[data-kb-lookup]");
  if (!panel) return;
  const input = panel.querySelector(".kb-query");
  const results = panel.querySelector(".kb-results");
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => lookup(input.value.trim()), 200);
  });
  // Enter searches at once instead of submitting the page's nearest form.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    lookup(input.value.trim());
  });

  function lookup(query) {
    asked = query;
    if (!query) {
      results.replaceChildren();
      return;
    }
    const url = new URL(panel.dataset.kbLookup, window.location.href);
    url.search = new URLSearchParams({ q: query, lang: panel.dataset.kbLang }).toString();
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        // An older, slower answer must not replace the newer one.
        if (html !== null && query === asked) results.innerHTML = html;
      });
  }
}
