// The Assist panel beside the composer: offline language, tone and suggestions (refreshed
// with the conversation), a summary for handoffs, and the optional AI model's actions.
// Whatever the model writes lands in the composer or the panel for the agent to edit;
// nothing is ever sent from here.

const INTO_COMPOSER = new Set(["draft", "rewrite", "translate_out"]);

export function installAssist() {
  const panel = document.querySelector("[data-assist-src]");
  const composer = document.getElementById("composer");
  if (!panel || !composer) return;
  const textarea = composer.querySelector("textarea");
  const body = panel.querySelector(".assist-body");
  const error = panel.querySelector(".assist-error");
  const output = panel.querySelector(".assist-output");

  const load = () =>
    fetch(panel.dataset.assistSrc, { headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (html !== null) body.innerHTML = html;
      });
  load();
  // A new customer message changes what is suggested.
  let timer = null;
  document.addEventListener("parley:refreshed", (event) => {
    if (event.detail !== "live") return;
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });

  panel.addEventListener("click", (event) => {
    const action = event.target.closest("[data-assist-action]");
    if (action) ask(action);
    else if (event.target.closest("[data-assist-offline-summary]")) summarise(event.target);
    else if (event.target.closest(".assist-to-handoff")) toHandoff();
  });

  function ask(button) {
    const kind = button.dataset.assistAction;
    const form = new FormData();
    form.append("action", kind);
    form.append("tone", button.dataset.tone || "");
    form.append("text", textarea.value);
    form.append("csrfmiddlewaretoken", composer.elements.csrfmiddlewaretoken.value);
    const done = busy(button);
    fetch(panel.dataset.assistAsk, { method: "POST", body: form })
      .then(answer)
      .then((text) => (INTO_COMPOSER.has(kind) ? intoComposer(kind, text) : show(button, text)))
      .catch(showError)
      .finally(done);
  }

  function summarise(button) {
    const done = busy(button);
    fetch(panel.dataset.assistSummary, { headers: { "X-Requested-With": "fetch" } })
      .then(answer)
      .then((text) => show(button, text))
      .catch(showError)
      .finally(done);
  }

  // {"text"} on success; {"detail"} with a 4xx or 502 says what went wrong.
  function answer(response) {
    return response
      .json()
      .catch(() => ({ detail: `HTTP ${response.status}` }))
      .then((data) => {
        if (!response.ok || typeof data.text !== "string") throw new Error(data.detail || `HTTP ${response.status}`);
        return data.text;
      });
  }

  function busy(button) {
    error.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    panel.classList.add("assist-working");
    return () => {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      panel.classList.remove("assist-working");
    };
  }

  // A draft joins what the agent already wrote; a rewrite or translation replaces it.
  function intoComposer(kind, text) {
    const kept = kind === "draft" ? textarea.value.trimEnd() : "";
    textarea.value = kept ? `${kept}\n\n${text}` : text;
    textarea.focus();
    textarea.dispatchEvent(new Event("input"));
  }

  function show(button, text) {
    output.querySelector(".assist-output-title").textContent = button.textContent;
    output.querySelector(".assist-output-text").textContent = text;
    // A translation is for reading; summaries are for the next person.
    output.querySelector(".assist-to-handoff").hidden = button.dataset.assistAction === "translate_in";
    output.hidden = false;
  }

  function showError(problem) {
    error.textContent = problem.message;
    error.hidden = false;
  }

  function toHandoff() {
    const note = document.querySelector("#assign-form textarea[name=note]");
    if (!note) return;
    const text = output.querySelector(".assist-output-text").textContent;
    note.value = note.value.trim() ? `${note.value.trimEnd()}\n${text}` : text;
    note.focus();
  }
}
