// Suggestions for the @name or #tag being typed in a compose box: an ARIA
// combobox over the textarea, filled from /search/complete/ (search.views).
// Arrow keys move, Enter or Tab take the suggestion, Escape closes.
(function () {
  "use strict";

  const TOKEN = /(^|\s)([@#][^\s@#]*)$/;
  const DELAY_MS = 120;
  let timer = null;
  let pending = null;

  function tokenAt(textarea) {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = TOKEN.exec(before);
    if (!match || match[2].length < 2) return null;
    return { text: match[2], start: before.length - match[2].length };
  }

  function listFor(textarea) {
    let list = document.getElementById(textarea.id + "-complete");
    if (!list) {
      list = document.createElement("ul");
      list.id = textarea.id + "-complete";
      list.className = "complete";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Suggestions");
      list.hidden = true;
      textarea.insertAdjacentElement("afterend", list);
      textarea.setAttribute("role", "combobox");
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", list.id);
      textarea.setAttribute("aria-expanded", "false");
      list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
      list.addEventListener("click", (event) => {
        const option = event.target.closest('[role="option"]');
        if (option) choose(textarea, option);
      });
    }
    return list;
  }

  function close(textarea) {
    const list = listFor(textarea);
    list.hidden = true;
    list.replaceChildren();
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  }

  function select(textarea, option) {
    const list = listFor(textarea);
    list.querySelectorAll('[role="option"]').forEach((each) => each.setAttribute("aria-selected", String(each === option)));
    textarea.setAttribute("aria-activedescendant", option.id);
  }

  async function suggest(textarea) {
    const token = tokenAt(textarea);
    if (!token) return close(textarea);
    if (pending) pending.abort();
    pending = new AbortController();
    let html;
    try {
      const url = textarea.dataset.completeUrl + "?q=" + encodeURIComponent(token.text);
      const response = await fetch(url, { signal: pending.signal, credentials: "same-origin" });
      if (!response.ok) return close(textarea);
      html = await response.text();
    } catch (error) {
      return; // aborted by the next keystroke, or offline: no suggestions
    }
    const list = listFor(textarea);
    list.innerHTML = html;
    const options = list.querySelectorAll('[role="option"]');
    if (!options.length) return close(textarea);
    options.forEach((option, index) => { option.id = list.id + "-" + index; });
    list.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    select(textarea, options[0]);
  }

  function choose(textarea, option) {
    const token = tokenAt(textarea);
    if (!token) return close(textarea);
    textarea.setRangeText(option.dataset.value + " ", token.start, textarea.selectionStart, "end");
    close(textarea);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // the character counter
  }

  function isCompose(target) {
    return target instanceof HTMLTextAreaElement && target.dataset.completeUrl;
  }

  document.addEventListener("input", (event) => {
    if (!isCompose(event.target)) return;
    clearTimeout(timer);
    timer = setTimeout(() => suggest(event.target), DELAY_MS);
  });

  document.addEventListener("keydown", (event) => {
    const textarea = event.target;
    if (!isCompose(textarea) || textarea.getAttribute("aria-expanded") !== "true") return;
    const options = Array.from(listFor(textarea).querySelectorAll('[role="option"]'));
    const current = options.findIndex((option) => option.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      select(textarea, options[(current + step + options.length) % options.length]);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(textarea, options[Math.max(current, 0)]);
    } else if (event.key === "Escape") {
      close(textarea);
    }
  });

  document.addEventListener("focusout", (event) => {
    if (isCompose(event.target)) close(event.target);
  });
})();
