// The pages' live connection: one WebSocket to the streaming server, else
// Server-Sent Events, else long polling; reconnecting with backoff and
// resuming after the last event seen, so that nothing is lost in between.
//
// It turns each event into a DOM event on <body> ("live:update",
// "live:notification", "live:delete", "live:counts", "live:reply",
// "live:direct", "live:typing", and
// "live:reconnected" after a gap), which htmx attributes listen to
// (hx-trigger="live:notification from:body"); the HTML itself always comes
// from the ordinary views, with their visibility rules.
(function () {
  "use strict";

  const meta = document.querySelector('meta[name="live-stream"]');
  if (!meta) return;

  const NAMES = {
    update: "live:update",
    notification: "live:notification",
    delete: "live:delete",
    "status.update": "live:update",
    "status.counts": "live:counts",
    "status.reply": "live:reply",
    // Direct messages (pages only): a new message or a read receipt in
    // one of the reader's conversations, and someone typing in one.
    "direct.message": "live:direct",
    "direct.read": "live:direct",
    "direct.typing": "live:typing",
  };
  const MAX_BACKOFF_MS = 30000;
  const params = new URLSearchParams(location.search);
  // ?live=sse or ?live=poll forces a fallback (for trying them out and for tests).
  const forced = params.get("live");
  const transports = ["socket", "sse", "poll"].filter((t) => !forced || t === forced);

  let cursor = meta.dataset.cursor || "";
  let transport = 0;
  let failures = 0;
  let hadGap = false;
  let current = null;

  function base(scheme) {
    // STREAMING_URL, else this host on STREAMING_PORT, else this origin.
    const secure = location.protocol === "https:";
    let url = meta.dataset.url;
    if (!url && meta.dataset.port) url = `${secure ? "wss" : "ws"}://${location.hostname}:${meta.dataset.port}`;
    if (!url) url = `${secure ? "wss" : "ws"}://${location.host}`;
    url = url.replace(/\/$/, "");
    return scheme === "http" ? url.replace(/^ws/, "http") : url;
  }

  function tweetsOnPage() {
    return Array.from(document.querySelectorAll("[data-live-tweet]"), (el) => el.dataset.liveTweet);
  }

  function status(text) {
    document.documentElement.dataset.live = text;
  }

  function deliver(event, payload, id) {
    if (id) cursor = id;
    let detail = payload;
    try {
      detail = JSON.parse(payload);
    } catch (_) {
      // delete events carry a bare id
    }
    if (event === "status.counts") updateCounts(detail);
    const name = NAMES[event];
    if (name) document.body.dispatchEvent(new CustomEvent(name, { detail }));
  }

  function updateCounts(counts) {
    document.querySelectorAll(`[data-counts-of="${CSS.escape(String(counts.id))}"]`).forEach((box) => {
      box.querySelectorAll("[data-count]").forEach((el) => {
        const value = counts[el.dataset.count];
        if (value !== undefined) el.textContent = value;
      });
    });
  }

  function connected() {
    failures = 0;
    status(transports[transport]);
    if (hadGap) document.body.dispatchEvent(new CustomEvent("live:reconnected"));
    hadGap = true;
  }

  function retry(opened) {
    current = null;
    status("offline");
    if (!opened && ++failures >= 2 && transport < transports.length - 1) {
      transport += 1; // this transport does not get through: try the next one
      failures = 0;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures, 5));
    setTimeout(start, backoff / 2 + Math.random() * (backoff / 2));
  }

  function openSocket() {
    const query = new URLSearchParams({ stream: "user" });
    if (cursor) query.set("last_event_id", cursor);
    const socket = new WebSocket(`${base("ws")}/stream/socket?${query}`);
    let opened = false;
    socket.onopen = () => {
      opened = true;
      tweetsOnPage().forEach((id) => socket.send(JSON.stringify({ type: "subscribe", stream: "tweet", id })));
      connected();
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.event) deliver(frame.event, frame.payload, frame.id);
    };
    socket.onclose = () => retry(opened);
    return { close: () => socket.close() };
  }

  function openEventSource() {
    const sources = [];
    let opened = false;
    const add = (path) => {
      const source = new EventSource(`${base("http")}${path}`, { withCredentials: true });
      Object.keys(NAMES).forEach((name) =>
        source.addEventListener(name, (e) => deliver(name, e.data, e.lastEventId)),
      );
      source.onopen = () => {
        if (!opened) connected();
        opened = true;
      };
      source.onerror = () => {
        // EventSource reconnects by itself (with Last-Event-ID) unless the
        // server refused it; one that never opened counts as a failure.
        if (source.readyState === EventSource.CLOSED || !opened) {
          sources.forEach((s) => s.close());
          retry(opened);
        }
      };
      sources.push(source);
    };
    add(`/api/v1/streaming/user${cursor ? `?last_event_id=${encodeURIComponent(cursor)}` : ""}`);
    tweetsOnPage().forEach((id) => add(`/api/v1/streaming/tweet?id=${encodeURIComponent(id)}`));
    return { close: () => sources.forEach((s) => s.close()) };
  }

  function openLongPoll() {
    let stopped = false;
    let opened = false;
    (async () => {
      while (!stopped) {
        const query = new URLSearchParams();
        if (cursor) query.set("since", cursor);
        if (!opened) query.set("wait", "0"); // the first answer says we got through
        let body;
        try {
          const response = await fetch(`${base("http")}/stream/poll?${query}`, { credentials: "include" });
          if (!response.ok) throw new Error(`poll: ${response.status}`);
          body = await response.json();
        } catch (_) {
          if (!stopped) retry(opened);
          return;
        }
        if (!opened) connected();
        opened = true;
        body.events.forEach((e) => deliver(e.event, e.payload, e.id));
        cursor = body.cursor || cursor;
      }
    })();
    return { close: () => (stopped = true) };
  }

  function start() {
    const open = { socket: openSocket, sse: openEventSource, poll: openLongPoll }[transports[transport]];
    status("connecting");
    current = open();
  }

  window.addEventListener("pagehide", () => current && current.close());
  start();
})();
