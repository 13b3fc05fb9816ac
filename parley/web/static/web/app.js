// The agent workspace: live updates over the agent WebSocket, and keyboard shortcuts.
// Pages are server-rendered; a push only says "conversation N changed", and the page
// refetches the fragment it shows through the same permission checks as a reload.

import { connectLive } from "./live.js";
import { installShortcuts } from "./shortcuts.js";
import { installComposer } from "./composer.js";
import { installArticleLookup } from "./kb_insert.js";
import { installAssist } from "./assist.js";
import { installSavedReplies } from "./saved_replies.js";

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
  const me = Number(document.body.dataset.agentId);
  const live = connectLive({
    onPush: (push) => {
      if (push.conversation_id !== id) return;
      if (push.kind === "typing") showTyping();
      else if (push.kind.startsWith("agent_")) {
        // A colleague who just arrived hears that we are here too.
        if (push.agent_id !== me && showColleague(push)) {
          live.send({ type: "viewing", conversation_id: id });
        }
      } else refresh();
    },
    onConnect: () => {
      refresh();
      live.send({ type: "viewing", conversation_id: id });
    },
  });
  setInterval(() => live.send({ type: "viewing", conversation_id: id }), 20000);
  installComposer({ onTyping: () => live.send({ type: "typing", conversation_id: id }) });
  installArticleLookup();
  installAssist();
  installSavedReplies();
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

// "Bea is viewing" / "Bea is typing…": other agents on this conversation, for as long as
// their pages keep saying so (viewing every 20 s, typing every 2 s).
const colleagues = new Map();
// Records the colleague; true when they were not shown before.
function showColleague(push) {
  const typing = push.kind === "agent_typing";
  const known = colleagues.get(push.agent_id);
  const arrived = !known || known.until < Date.now();
  colleagues.set(push.agent_id, {
    name: push.agent,
    typingUntil: typing ? Date.now() + 5000 : colleagues.get(push.agent_id)?.typingUntil || 0,
    until: Date.now() + 45000,
  });
  drawColleagues();
  return arrived;
}

function drawColleagues() {
  const list = document.getElementById("colleagues");
  if (!list) return;
  const now = Date.now();
  const here = [...colleagues.values()].filter((c) => c.until > now);
  list.replaceChildren(
    ...here.map((c) => {
      const item = document.createElement("li");
      const typing = c.typingUntil > now;
      item.className = typing ? "colleague typing" : "colleague";
      item.textContent = `${c.name} ${typing ? list.dataset.typing : list.dataset.viewing}`;
      return item;
    }),
  );
  list.hidden = here.length === 0;
}
setInterval(drawColleagues, 1000);

// Switches that save as soon as they change (the rules list's "enabled").
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
});

installShortcuts(page);
