// The service worker: shows this site's Web Push notifications
// (notifications.push sends them) and opens the page they are about.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { title: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "{{ SITE_NAME }}", {
      body: data.body || "",
      icon: data.icon,
      tag: data.notification_id ? String(data.notification_id) : undefined,
      data: { url: data.url || "/notifications/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(
    clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === url);
      return open ? open.focus() : clients.openWindow(url);
    }),
  );
});
