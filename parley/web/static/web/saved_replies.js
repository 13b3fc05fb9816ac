// Saved replies in the composer: "##ship" or "/ship" opens a list of matching replies
// (↑/↓, Enter, Esc, click); the chosen one arrives filled in for this conversation where
// the typed word was, ready to edit. Before a reply is sent, a placeholder still to fill
// or text over the platform's limit is shown and stops the send (the server checks too).

const TRIGGER = /(?:^|\s)(##|\/)([\p{L}\p{N}_-]+)$/u;
const PLACEHOLDER = /\[(?:customer|conversation|order|agent)\.[a-z_]{1,40}\]/g;

export function installSavedReplies() {
  const panel = document.getElementById("saved-replies");
  const form = document.getElementById("composer");
  if (!panel || !form) return;
  const textarea = form.querySelector("textarea");
  const picker = document.createElement("ul");
  picker.className = "saved-reply-picker";
  picker.setAttribute("role", "listbox");
  picker.hidden = true;
  const check = document.createElement("p");
  check.className = "reply-check";
  check.setAttribute("role", "alert");
  textarea.after(picker, check);

  let items = [];
  let active = 0;
  let token = null; // {start, end, query} of the typed ##word
  let asked = "";

  textarea.addEventListener("input", () => {
    showCheck(false);
    token = typedToken();
    if (!token) return close();
    asked = token.query;
    const url = new URL(panel.dataset.search, window.location.href);
    url.search = new URLSearchParams({ q: token.query }).toString();
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((found) => {
        if (found && token && token.query === asked) open(found.items);
      });
  });

  textarea.addEventListener("keydown", (event) => {
    if (picker.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && items.length) {
      event.preventDefault();
      choose(items[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  picker.addEventListener("mousedown", (event) => event.preventDefault()); // keep the cursor
  picker.addEventListener("click", (event) => {
    const option = event.target.closest("[data-index]");
    if (option) choose(items[Number(option.dataset.index)]);
  });
  textarea.addEventListener("blur", () => setTimeout(close, 150));

  panel.querySelector(".add-signature")?.addEventListener("click", (event) => {
    const signature = event.target.dataset.signature;
    textarea.value = `${textarea.value.trimEnd()}\n${signature}`.trimStart();
    textarea.focus();
    textarea.dispatchEvent(new Event("input"));
  });

  // Capturing on the document runs before the composer's own submit handler.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target !== form || !replying()) return;
      const problem = problemWith(textarea.value);
      if (!problem) return;
      event.preventDefault();
      event.stopPropagation();
      showCheck(problem);
    },
    true,
  );
  form.addEventListener("change", () => showCheck(false));

  function typedToken() {
    const end = textarea.selectionStart;
    const match = TRIGGER.exec(textarea.value.slice(0, end));
    if (!match) return null;
    return { start: end - match[1].length - match[2].length, end, query: match[2] };
  }

  function open(found) {
    items = found;
    active = 0;
    picker.replaceChildren(
      ...(found.length ? found.map(option) : [emptyOption(panel.dataset.none)]),
    );
    picker.hidden = false;
    highlight(0);
  }

  function option(item, index) {
    const li = document.createElement("li");
    li.setAttribute("role", "option");
    li.dataset.index = String(index);
    const title = document.createElement("strong");
    title.textContent = item.title;
    const meta = document.createElement("span");
    meta.className = "meta";
    const words = [item.shortcut && `##${item.shortcut}`, ...item.tags];
    meta.textContent = words.filter(Boolean).join(" · ");
    li.append(title, " ", meta);
    return li;
  }

  function emptyOption(text) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = text;
    return li;
  }

  function highlight(index) {
    active = index;
    picker.querySelectorAll("[data-index]").forEach((li, i) => {
      li.setAttribute("aria-selected", String(i === index));
    });
  }

  function close() {
    picker.hidden = true;
    items = [];
  }

  function choose(item) {
    const at = token;
    close();
    if (!item || !at) return;
    const typed = textarea.value.slice(at.start, at.end);
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    const url = panel.dataset.use.replace(/\/0\/$/, `/${item.id}/`);
    fetch(url, { method: "POST", body, headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((filled) => {
        if (!filled) return;
        // The ##word is replaced; if it was edited meanwhile, the text goes at the cursor.
        const { value } = textarea;
        const still = value.slice(at.start, at.end) === typed;
        const start = still ? at.start : textarea.selectionStart;
        const end = still ? at.end : textarea.selectionEnd;
        textarea.value = value.slice(0, start) + filled.text + value.slice(end);
        textarea.selectionStart = textarea.selectionEnd = start + filled.text.length;
        textarea.focus();
        textarea.dispatchEvent(new Event("input"));
      });
  }

  function replying() {
    return form.querySelector("input[name=mode]:checked")?.value === "reply";
  }

  function limit() {
    const choice = form.querySelector("input[name=comment_reply]:checked")?.value;
    const key = { public: "limitPublic", private: "limitPrivate" }[choice] || "limit";
    const value = panel.dataset[key];
    return value ? Number(value) : null;
  }

  function problemWith(text) {
    const unfilled = [...new Set(text.match(PLACEHOLDER) || [])];
    if (unfilled.length) return panel.dataset.unfilled.replace("%(names)s", unfilled.join(", "));
    const max = limit();
    const length = [...text].length; // code points, as the server counts
    if (max && length > max) {
      return panel.dataset.tooLong.replace("%(length)s", length).replace("%(limit)s", max);
    }
    return "";
  }

  // Live: what would stop the send, else the length against the limit.
  function showCheck(blocked) {
    const problem = blocked || (replying() ? problemWith(textarea.value) : "");
    const max = replying() ? limit() : null;
    check.textContent = problem || (max ? `${[...textarea.value].length} / ${max}` : "");
    check.classList.toggle("over", Boolean(problem));
  }
  showCheck(false);
}
