// One WebSocket per page to /ws/agent/, reconnecting with backoff. On reconnect the page
// refetches, since pushes sent while disconnected are gone.

export function connectLive({ onPush, onReconnect }) {
  const state = document.getElementById("live-state");
  let delay = 500;
  let connectedBefore = false;

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/agent/`);
    socket.addEventListener("open", () => {
      delay = 500;
      if (state) state.dataset.state = "live";
      if (connectedBefore) onReconnect();
      connectedBefore = true;
    });
    socket.addEventListener("message", (event) => onPush(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (state) state.dataset.state = "offline";
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }
  open();
}
