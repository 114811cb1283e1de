// "Push notifications on this browser": subscribe with the browser's push
// service and tell the server where to push (notifications.views.browser_push).
(function () {
  "use strict";

  const box = document.getElementById("browser-push");
  if (!box) return;
  const button = box.querySelector("button");
  const note = box.querySelector("[data-push-status]");
  const csrf = box.dataset.csrf;

  function say(text) {
    note.textContent = text;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    say("This browser cannot receive push notifications.");
    button.disabled = true;
    return;
  }

  function key(base64url) {
    const base64 = base64url.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function send(method, body) {
    const response = await fetch(box.dataset.url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw new Error(answer.error || `The server said ${response.status}.`);
    }
  }

  async function current() {
    const registration = await navigator.serviceWorker.register(box.dataset.worker, { scope: "/" });
    return { registration, subscription: await registration.pushManager.getSubscription() };
  }

  async function refresh() {
    const { subscription } = await current();
    button.textContent = subscription ? "Turn off" : "Turn on";
    say(subscription ? "On: notifications come to this browser." : "Off for this browser.");
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const { registration, subscription } = await current();
      if (subscription) {
        await send("DELETE", { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      } else {
        if ((await Notification.requestPermission()) !== "granted") {
          throw new Error("The browser did not allow notifications.");
        }
        const made = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: key(box.dataset.serverKey),
        });
        await send("POST", made.toJSON());
      }
      await refresh();
    } catch (error) {
      say(error.message);
    } finally {
      button.disabled = false;
    }
  });

  refresh().catch((error) => say(error.message));
})();
