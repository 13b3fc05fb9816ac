// Keyboard shortcuts. Listed in the "?" dialog (base.html); keep the two in step.

import { setComposerMode } from "./composer.js";

function typing(event) {
  const target = event.target;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function moveSelection(step) {
  const rows = [...document.querySelectorAll("#inbox-list .row")];
  if (!rows.length) return;
  const current = rows.findIndex((row) => row.classList.contains("selected"));
  const next = Math.max(0, Math.min(rows.length - 1, current + step));
  rows.forEach((row) => row.classList.remove("selected"));
  rows[next].classList.add("selected");
  rows[next].scrollIntoView({ block: "nearest" });
  sessionStorage.setItem("parley:selected", rows[next].dataset.id);
}

function restoreSelection() {
  const id = sessionStorage.getItem("parley:selected");
  const row = id && document.querySelector(`#inbox-list .row[data-id="${id}"]`);
  if (row) row.classList.add("selected");
}

export function installShortcuts(page) {
  let pendingG = false;
  const dialog = document.getElementById("shortcuts");
  document.querySelector("[data-action=shortcuts]")?.addEventListener("click", () => dialog.showModal());
  if (page === "inbox") {
    restoreSelection();
    document.addEventListener("parley:refreshed", restoreSelection);
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") location.href = "/inbox/";
      return;
    }
    if (key === "?") dialog.open ? dialog.close() : dialog.showModal();
    else if (key === "g") pendingG = true;
    else if (page === "inbox" && key === "j") moveSelection(1);
    else if (page === "inbox" && key === "k") moveSelection(-1);
    else if (page === "inbox" && key === "Enter") {
      const row = document.querySelector("#inbox-list .row.selected");
      if (row) location.href = row.dataset.href;
    } else if (page === "conversation" && key === "r") setComposerMode("reply");
    else if (page === "conversation" && key === "n") setComposerMode("note");
    else if (page === "conversation" && key === "a") document.querySelector("#assign-form select")?.focus();
    else if (page === "conversation" && key === "e") document.getElementById("resolve-form")?.requestSubmit();
    else return;
    event.preventDefault();
  });
}
