// Reply / internal-note toggle: notes look clearly different before they are sent.

// `onTyping` is called (at most every 2 s) while a reply is being typed.
export function installComposer({ onTyping = () => {} } = {}) {
  const form = document.getElementById("composer");
  if (!form) return;
  const textarea = form.querySelector("textarea");
  const button = form.querySelector("button[type=submit]");
  const apply = () => {
    const mode = form.querySelector("input[name=mode]:checked").value;
    form.classList.toggle("mode-note", mode === "note");
    form.classList.toggle("mode-reply", mode === "reply");
    // Outside a messaging window a reply is a template: the text box is for notes only.
    textarea.required = !(mode === "reply" && form.classList.contains("template-only"));
    textarea.placeholder = textarea.dataset[`${mode}Placeholder`];
    button.textContent = button.dataset[`${mode}Label`];
  };
  form.addEventListener("change", apply);
  const picker = form.querySelector("select[name=template]");
  picker?.addEventListener("change", () => {
    for (const fields of form.querySelectorAll(".template-fields")) {
      const chosen = fields.dataset.template === picker.value;
      fields.hidden = !chosen;
      fields.disabled = !chosen;
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  let typedAt = 0;
  textarea.addEventListener("input", () => {
    const mode = form.querySelector("input[name=mode]:checked").value;
    if (mode !== "reply" || Date.now() - typedAt < 2000) return;
    typedAt = Date.now();
    onTyping();
  });
  form.addEventListener("submit", () => {
    button.disabled = true;
  });
  // "Insert link" beside an order's tracking: the link goes where the cursor is.
  document.addEventListener("click", (event) => {
    const source = event.target.closest("[data-insert]");
    if (source) insertText(textarea, source.dataset.insert);
  });
  apply();
}

function insertText(textarea, text) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const before = value.slice(0, start);
  const spaced = before && !/\s$/.test(before) ? ` ${text}` : text;
  textarea.value = before + spaced + value.slice(end);
  textarea.selectionStart = textarea.selectionEnd = start + spaced.length;
  textarea.focus();
  textarea.dispatchEvent(new Event("input"));
}

export function setComposerMode(mode) {
  const form = document.getElementById("composer");
  if (!form) return;
  form.querySelector(`input[name=mode][value=${mode}]`).checked = true;
  form.dispatchEvent(new Event("change"));
  form.querySelector("textarea").focus();
}
