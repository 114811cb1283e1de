// The conversation page: tells the others while you type (at most every few
// seconds), shows "… is typing" when they do, and keeps the newest message
// in view. New messages themselves come through live.js ("live:direct").
(function () {
  "use strict";

  const form = document.getElementById("compose-message");
  const typing = document.getElementById("typing");
  const list = document.getElementById("messages");
  if (!form || !typing || !list) return;

  const SEND_EVERY_MS = 3000;
  const SHOW_FOR_MS = 5000;
  const conversation = typing.dataset.conversation;
  let lastSent = 0;
  let hideTimer = null;

  function scrollToNewest() {
    list.scrollIntoView({ block: "end" });
  }

  form.addEventListener("input", () => {
    const now = Date.now();
    if (now - lastSent < SEND_EVERY_MS) return;
    lastSent = now;
    const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    fetch(form.dataset.typingUrl, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" });
  });

  document.body.addEventListener("live:typing", (event) => {
    const detail = event.detail || {};
    if (String(detail.conversation_id) !== conversation) return;
    typing.textContent = `@${detail.username} is typing…`;
    typing.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => (typing.hidden = true), SHOW_FOR_MS);
  });

  document.body.addEventListener("live:direct", (event) => {
    const detail = event.detail || {};
    if (String(detail.conversation_id) === conversation && detail.sender_id) typing.hidden = true;
  });

  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) form.reset();
  });
  list.addEventListener("htmx:afterSwap", scrollToNewest);
  scrollToNewest();
})();
