// Parley live chat widget. Embed with one tag:
//   <script src="https://parley.example.com/chat/widget.js" data-key="PUBLIC_KEY" async></script>
// Signed-in users, optionally: data-user-id, data-user-email, data-user-name and
// data-user-hash (hex HMAC-SHA256 of the id, or of the email without an id, under the
// channel's identity secret, computed on the host site's server). data-language: en | ko.
//
// Everything lives in a Shadow DOM so the host page's CSS cannot reach it. The visitor's
// token is kept in localStorage, so the conversation survives page loads; the WebSocket
// reconnects with backoff and resends what was not acknowledged.

(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.dataset.key) {
    console.warn("Parley chat: the script tag needs data-key");
    return;
  }
  const KEY = script.dataset.key;
  const BASE = new URL("..", script.src).href.replace(/\/$/, "");
  const STORE = `parley-chat:${KEY}`;

  const STRINGS = {
    en: {
      open: "Chat with us",
      close: "Close chat",
      placeholder: "Write a message…",
      send: "Send",
      attach: "Attach a file",
      typing: "Typing…",
      name: "Your name",
      email: "Your email",
      start: "Start chatting",
      intro: "Please tell us who you are.",
      awayAt: "We are away right now. We will answer {when}.",
      awayClosed: "We are away right now.",
      nobody: "Nobody is online right now.",
      leaveEmail: "Leave your email and we will reply there.",
      save: "Save",
      emailSaved: "Thanks! We will reply to {email}.",
      failed: "Not sent: {reason}",
      retry: "Retry",
      tooLarge: "The file is too large (at most {mb} MB).",
      offline: "Reconnecting…",
      refused: "This chat is not available on this site.",
      you: "You",
      agent: "Support",
    },
    ko: {
      open: "채팅 상담",
      close: "채팅 닫기",
      placeholder: "메시지를 입력하세요…",
      send: "보내기",
      attach: "파일 첨부",
      typing: "입력 중…",
      name: "이름",
      email: "이메일",
      start: "채팅 시작",
      intro: "이름과 이메일을 알려 주세요.",
      awayAt: "지금은 상담 시간이 아닙니다. {when}에 답변드리겠습니다.",
      awayClosed: "지금은 상담 시간이 아닙니다.",
      nobody: "지금은 상담원이 없습니다.",
      leaveEmail: "이메일을 남겨 주시면 이메일로 답변드리겠습니다.",
      save: "저장",
      emailSaved: "감사합니다! {email}(으)로 답변드리겠습니다.",
      failed: "전송 실패: {reason}",
      retry: "다시 시도",
      tooLarge: "파일이 너무 큽니다 (최대 {mb} MB).",
      offline: "다시 연결하는 중…",
      refused: "이 사이트에서는 채팅을 사용할 수 없습니다.",
      you: "나",
      agent: "상담원",
    },
  };

  const state = {
    token: localStorage.getItem(STORE) || "",
    visitor: { name: "", email: "" },
    settings: null,
    away: null,
    socket: null,
    delay: 500,
    messages: new Map(), // client_id or "m<id>" → message
    lastTyping: 0,
    typingTimer: null,
    lang: "en",
  };

  function t(name, values = {}) {
    const text = (STRINGS[state.lang] || STRINGS.en)[name] || STRINGS.en[name];
    return text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16)).join("");
  }

  // ---- the page ---------------------------------------------------------------------

  const host = document.createElement("div");
  host.id = "parley-chat";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      * { box-sizing: border-box; font: 14px/1.4 system-ui, sans-serif; }
      .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646;
        border: 0; border-radius: 24px; padding: 12px 18px; background: #2563eb; color: #fff;
        cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
      .launcher .badge { background: #dc2626; border-radius: 9px; padding: 0 6px; margin-left: 6px; }
      .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483647; width: 340px;
        max-width: calc(100vw - 40px); height: 480px; max-height: calc(100vh - 40px);
        display: flex; flex-direction: column; background: #fff; color: #111827;
        border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
      [hidden] { display: none !important; }
      header { display: flex; align-items: center; padding: 10px 14px; background: #2563eb; color: #fff; }
      header h2 { flex: 1; margin: 0; font-weight: 600; }
      header button { border: 0; background: none; color: #fff; font-size: 20px; cursor: pointer; }
      .notice { padding: 8px 14px; background: #fef3c7; }
      .notice form, .intro { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
      .intro { padding: 14px; }
      input, textarea { border: 1px solid #d1d5db; border-radius: 6px; padding: 6px 8px; color: #111827; background: #fff; }
      .log { flex: 1; overflow-y: auto; padding: 10px 14px; display: flex; flex-direction: column; gap: 8px; }
      .msg { max-width: 80%; padding: 6px 10px; border-radius: 10px; white-space: pre-wrap; word-wrap: break-word; }
      .msg.visitor { align-self: flex-end; background: #dbeafe; }
      .msg.agent { align-self: flex-start; background: #f3f4f6; }
      .msg .who { display: block; font-size: 12px; color: #6b7280; }
      .msg.pending { opacity: .6; }
      .msg .problem { display: block; font-size: 12px; color: #b91c1c; }
      .msg a { color: #1d4ed8; }
      .typing, .status { padding: 0 14px 4px; font-size: 12px; color: #6b7280; min-height: 16px; }
      .error { padding: 4px 14px; color: #b91c1c; font-size: 12px; }
      .composer { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #e5e7eb; align-items: flex-end; }
      .composer textarea { flex: 1; resize: none; height: 40px; }
      .composer button, .notice button, .intro button, .retry { border: 0; border-radius: 6px;
        padding: 8px 10px; background: #2563eb; color: #fff; cursor: pointer; }
      .composer .attach { background: #e5e7eb; color: #111827; }
    </style>
    <button class="launcher" type="button"><span class="label"></span><span class="badge" hidden></span></button>
    <section class="panel" hidden role="dialog">
      <header><h2 class="title"></h2><button class="close" type="button">×</button></header>
      <div class="notice" hidden>
        <p class="away-text"></p>
        <form class="away-email"><label class="leave"></label><input type="email" name="email" required><button type="submit" class="save"></button></form>
        <p class="email-saved" hidden></p>
      </div>
      <form class="intro" hidden>
        <p class="intro-text"></p>
        <input name="name" autocomplete="name">
        <input name="email" type="email" autocomplete="email">
        <button type="submit" class="start"></button>
      </form>
      <div class="log" aria-live="polite"></div>
      <div class="typing" hidden></div>
      <div class="status"></div>
      <div class="error" role="alert" hidden></div>
      <form class="composer">
        <textarea name="text" rows="1"></textarea>
        <input type="file" name="file" hidden>
        <button type="button" class="attach">📎</button>
        <button type="submit" class="send"></button>
      </form>
    </section>`;
  const $ = (selector) => root.querySelector(selector);
  // Form controls by name (form.name itself is the form's own name attribute).
  const field = (form, name) => form.elements.namedItem(name);
  const ui = {
    launcher: $(".launcher"), badge: $(".badge"), panel: $(".panel"), log: $(".log"),
    typing: $(".typing"), status: $(".status"), error: $(".error"), composer: $(".composer"),
    intro: $(".intro"), notice: $(".notice"), awayEmail: $(".away-email"),
  };

  function label() {
    $(".label").textContent = t("open");
    $(".close").setAttribute("aria-label", t("close"));
    $(".title").textContent = state.settings ? state.settings.title : "";
    field(ui.composer, "text").placeholder = t("placeholder");
    field(ui.composer, "text").setAttribute("aria-label", t("placeholder"));
    $(".send").textContent = t("send");
    $(".attach").setAttribute("aria-label", t("attach"));
    $(".attach").title = t("attach");
    $(".intro-text").textContent = t("intro");
    field(ui.intro, "name").placeholder = t("name");
    field(ui.intro, "email").placeholder = t("email");
    $(".start").textContent = t("start");
    $(".leave").textContent = t("leaveEmail");
    field(ui.awayEmail, "email").placeholder = t("email");
    $(".save").textContent = t("save");
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  }

  function render(message) {
    let item = ui.log.querySelector(`[data-key="${CSS.escape(message.key)}"]`);
    if (!item) {
      item = document.createElement("div");
      item.dataset.key = message.key;
      ui.log.append(item);
    }
    item.className = `msg ${message.from}${message.pending ? " pending" : ""}`;
    item.replaceChildren();
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.from === "visitor" ? t("you") : message.author || t("agent");
    item.append(who, document.createTextNode(message.text || ""));
    for (const file of message.attachments || []) {
      const link = document.createElement(file.url ? "a" : "span");
      if (file.url) {
        link.href = BASE + file.url;
        link.target = "_blank";
        link.rel = "noopener";
      }
      link.textContent = `📎 ${file.name}`;
      item.append(document.createElement("br"), link);
    }
    if (message.problem) {
      const problem = document.createElement("span");
      problem.className = "problem";
      problem.textContent = t("failed", { reason: message.problem });
      const retry = document.createElement("button");
      retry.className = "retry";
      retry.type = "button";
      retry.textContent = t("retry");
      retry.addEventListener("click", () => resend(message));
      problem.append(" ", retry);
      item.append(problem);
    }
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function remember(frame) {
    const key = frame.client_id || `m${frame.id}`;
    const message = { ...state.messages.get(key), ...frame, key, pending: false, problem: "" };
    state.messages.set(key, message);
    render(message);
    if (frame.from === "agent" && ui.panel.hidden) {
      ui.badge.hidden = false;
      ui.badge.textContent = String(Number(ui.badge.textContent || 0) + 1);
    }
  }

  function showAway() {
    const away = state.away;
    ui.notice.hidden = !away;
    if (!away) return;
    let text = t("nobody");
    if (away.reason === "closed") {
      const when = away.next_open
        ? new Intl.DateTimeFormat(state.lang, { weekday: "long", hour: "numeric", minute: "2-digit" })
            .format(new Date(away.next_open))
        : "";
      text = when ? t("awayAt", { when }) : t("awayClosed");
    }
    $(".away-text").textContent = text;
    ui.awayEmail.hidden = Boolean(state.visitor.email);
    $(".email-saved").hidden = !state.visitor.email;
    $(".email-saved").textContent = t("emailSaved", { email: state.visitor.email });
  }

  function needsIntro() {
    const s = state.settings;
    return Boolean(s && ((s.ask_name && !state.visitor.name) || (s.ask_email && !state.visitor.email)));
  }

  function showIntro() {
    const s = state.settings;
    ui.intro.hidden = !needsIntro();
    field(ui.intro, "name").hidden = !s.ask_name;
    field(ui.intro, "name").required = s.ask_name;
    field(ui.intro, "email").hidden = !s.ask_email;
    field(ui.intro, "email").required = s.ask_email;
    ui.composer.hidden = needsIntro();
  }

  // ---- the server -------------------------------------------------------------------

  async function post(path, body) {
    const isForm = body instanceof FormData;
    const response = await fetch(`${BASE}/chat/${KEY}/${path}`, {
      method: "POST",
      headers: isForm ? {} : { "Content-Type": "application/json" },
      body: isForm ? body : JSON.stringify(body),
      credentials: "omit",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.detail || response.statusText), data);
    return data;
  }

  function identity() {
    const d = script.dataset;
    if (!d.userHash) return null;
    return { id: d.userId || "", email: d.userEmail || "", name: d.userName || "", hash: d.userHash };
  }

  function keep(data) {
    state.token = data.token;
    state.visitor = data.visitor;
    localStorage.setItem(STORE, data.token);
  }

  async function start() {
    let data;
    try {
      data = await post("session", { token: state.token, identity: identity() });
    } catch (error) {
      showError(error.code === "origin_not_allowed" ? t("refused") : error.message);
      return;
    }
    keep(data);
    state.settings = data.settings;
    state.away = data.away;
    state.socketPath = data.socket;
    state.lang = language(state.settings.language);
    label();
    showAway();
    showIntro();
    connect();
  }

  function connect() {
    const url = new URL(state.socketPath, BASE);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", state.token);
    const socket = new WebSocket(url);
    state.socket = socket;
    socket.addEventListener("open", () => {
      state.delay = 500;
      ui.status.textContent = "";
      for (const message of state.messages.values()) {
        if (message.pending && !message.problem && !message.file) transmit(message);
      }
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (state.socket !== socket) return; // replaced on purpose
      if (event.code === 4403 || event.code === 4404) return; // shown by the error frame
      if (event.code === 4401) {
        localStorage.removeItem(STORE);
        state.token = "";
        start();
        return;
      }
      ui.status.textContent = t("offline");
      const wait = state.delay * (0.75 + Math.random() / 2);
      state.delay = Math.min(state.delay * 2, 15000);
      setTimeout(connect, wait);
    });
  }

  function reconnect() {
    const old = state.socket;
    state.socket = null;
    old?.close();
    connect();
  }

  function receive(frame) {
    if (frame.type === "history") {
      for (const item of frame.messages) remember(item);
      ui.badge.hidden = true;
      ui.badge.textContent = "";
    } else if (frame.type === "message") {
      ui.typing.hidden = true;
      remember(frame);
    } else if (frame.type === "ack") {
      const message = state.messages.get(frame.client_id);
      if (message) {
        message.pending = false;
        render(message);
      }
    } else if (frame.type === "typing") {
      ui.typing.textContent = t("typing");
      ui.typing.hidden = false;
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(() => (ui.typing.hidden = true), 4000);
    } else if (frame.type === "error") {
      failed(frame);
    }
  }

  function failed(frame) {
    const message = frame.client_id && state.messages.get(frame.client_id);
    if (frame.code === "contact_needed") showIntro();
    if (frame.code === "origin_not_allowed") frame.detail = t("refused");
    if (message) {
      message.problem = frame.detail;
      render(message);
    } else {
      showError(frame.detail);
    }
  }

  function transmit(message) {
    if (state.socket?.readyState !== WebSocket.OPEN) return; // sent once reconnected
    state.socket.send(JSON.stringify({
      type: "message", client_id: message.key, text: message.text, page: location.href,
    }));
  }

  function resend(message) {
    message.problem = "";
    message.pending = true;
    render(message);
    if (message.file) upload(message);
    else transmit(message);
  }

  function say(text, file) {
    const key = newId();
    const message = {
      key, client_id: key, from: "visitor", text, pending: true, file,
      attachments: file ? [{ name: file.name, url: "" }] : [],
    };
    state.messages.set(key, message);
    render(message);
    if (file) upload(message);
    else transmit(message);
  }

  async function upload(message) {
    const form = new FormData();
    form.append("token", state.token);
    form.append("client_id", message.key);
    form.append("text", message.text);
    form.append("page", location.href);
    form.append("file", message.file);
    try {
      await post("upload", form);
      message.pending = false;
    } catch (error) {
      message.problem = error.message;
    }
    render(message);
  }

  async function saveContact(fields) {
    try {
      keep(await post("contact", { token: state.token, ...fields }));
    } catch (error) {
      showError(error.message);
      return;
    }
    showError("");
    showAway();
    showIntro();
    reconnect(); // the socket speaks for the visitor as the new token describes them
  }

  // ---- what the visitor does -------------------------------------------------------

  ui.launcher.addEventListener("click", () => {
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.badge.hidden = true;
    ui.badge.textContent = "";
    field(ui.composer, "text").focus();
  });
  $(".close").addEventListener("click", () => {
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
  });
  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = field(ui.composer, "text").value.trim();
    if (!text) return;
    showError("");
    say(text, null);
    field(ui.composer, "text").value = "";
  });
  field(ui.composer, "text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
  field(ui.composer, "text").addEventListener("input", () => {
    const now = Date.now();
    if (now - state.lastTyping < 2000 || state.socket?.readyState !== WebSocket.OPEN) return;
    state.lastTyping = now;
    state.socket.send(JSON.stringify({ type: "typing" }));
  });
  $(".attach").addEventListener("click", () => field(ui.composer, "file").click());
  field(ui.composer, "file").addEventListener("change", () => {
    const file = field(ui.composer, "file").files[0];
    field(ui.composer, "file").value = "";
    if (!file) return;
    const limit = state.settings.max_attachment_bytes;
    if (file.size > limit) {
      showError(t("tooLarge", { mb: Math.floor(limit / (1024 * 1024)) }));
      return;
    }
    showError("");
    say(field(ui.composer, "text").value.trim(), file);
    field(ui.composer, "text").value = "";
  });
  ui.intro.addEventListener("submit", (event) => {
    event.preventDefault();
    saveContact({ name: field(ui.intro, "name").value, email: field(ui.intro, "email").value });
  });
  ui.awayEmail.addEventListener("submit", (event) => {
    event.preventDefault();
    saveContact({ email: field(ui.awayEmail, "email").value });
  });

  function language(chosen) {
    const wanted = chosen || script.dataset.language || navigator.language || "en";
    return wanted.toLowerCase().startsWith("ko") ? "ko" : "en";
  }

  function mount() {
    state.lang = language("");
    label();
    document.body.append(host);
    start();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
