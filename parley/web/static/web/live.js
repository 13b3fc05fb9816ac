// One WebSocket per page to /ws/agent/, reconnecting with backoff. Every time the socket
// opens — the first time too — the page refetches: pushes sent before it was listening
// (while the page loaded, or while disconnected) are gone. Returns `send`, for the page's
// few messages up the socket (typing); they are dropped while disconnected. Opening the
// socket, and a message every minute, tell the server the agent is here.

export function connectLive({ onPush, onConnect }) {
  const state = document.getElementById("live-state");
  let delay = 500;
  let socket = null;

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/agent/`);
    socket.addEventListener("open", () => {
      delay = 500;
      if (state) state.dataset.state = "live";
      onConnect();
    });
    socket.addEventListener("message", (event) => onPush(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (state) state.dataset.state = "offline";
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }
  open();
  const send = (data) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
  };
  // Automatic assignment gives work only to agents with a workspace page open.
  setInterval(() => send({ type: "here" }), 60000);
  return { send };
}
