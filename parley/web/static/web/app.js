// The agent workspace: live updates over the agent WebSocket, and keyboard shortcuts.
// Pages are server-rendered; a push only says "conversation N changed", and the page
// refetches the fragment it shows through the same permission checks as a reload.

import { connectLive } from "./live.js";
import { installShortcuts } from "./shortcuts.js";
import { installComposer } from "./composer.js";

const page = document.body.dataset.page;

function refetch(containerId) {
  const container = document.getElementById(containerId);
  if (!container) return Promise.resolve();
  return fetch(container.dataset.src, { headers: { "X-Requested-With": "fetch" } })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html === null) return;
      container.innerHTML = html;
      document.dispatchEvent(new CustomEvent("parley:refreshed", { detail: containerId }));
    });
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

if (page === "inbox") {
  const refresh = debounce(() => refetch("inbox-list"), 150);
  connectLive({ onPush: refresh, onConnect: refresh });
  document.addEventListener("parley:refreshed", () => {
    const data = document.querySelector(".counts-data");
    if (!data) return;
    for (const badge of document.querySelectorAll("[data-count]")) {
      badge.textContent = data.dataset[badge.dataset.count];
    }
  });
} else if (page === "conversation") {
  const id = Number(document.body.dataset.conversationId);
  const refresh = debounce(() => refetch("live"), 100);
  const live = connectLive({
    onPush: (push) => {
      if (push.conversation_id !== id) return;
      if (push.kind === "typing") showTyping();
      else refresh();
    },
    onConnect: refresh,
  });
  installComposer({ onTyping: () => live.send({ type: "typing", conversation_id: id }) });
}

// "Customer is typing…" for a few seconds after each typing push (live chat).
let typingTimer = null;
function showTyping() {
  const note = document.getElementById("customer-typing");
  if (!note) return;
  note.hidden = false;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => (note.hidden = true), 4000);
}

installShortcuts(page);
