// reelgraph studio, the conversation: a thread made on the first message (its id kept in the
// URL hash and this browser, so a reload shows it), the messages, one progress card per turn
// (thread events, plus the job's own events), the review when it is on, and the versions.
"use strict";

(() => {
  const RG = window.RG;
  const { $, el, apiJson, postJson, scrollDown } = RG;
  const THREAD_STORE = "reelgraph.thread";
  const chat = {
    threadId: null,
    shown: 0, // server messages already on the page
    pending: [], // user bubbles sent, not yet seen in the thread: {text, node, messageId}
    cards: new Map(), // job id -> JobCard
    abort: null, // stops the thread's event stream
    refreshing: null,
    again: false,
  };
  const log = () => $("log");

  // ---------------------------------------------------------------- the thread id

  function storedThread() {
    const m = /(?:^#|&)thread=([A-Za-z0-9_-]{1,64})/.exec(window.location.hash);
    if (m) return m[1];
    try {
      return localStorage.getItem(THREAD_STORE) || null;
    } catch {
      return null;
    }
  }

  function keepThread(id) {
    chat.threadId = id;
    const url = new URL(window.location.href);
    url.hash = id ? `thread=${id}` : "";
    window.history.replaceState(null, "", id ? url.href : url.pathname + url.search);
    try {
      if (id) localStorage.setItem(THREAD_STORE, id);
      else localStorage.removeItem(THREAD_STORE);
    } catch {
      // storage disabled: the hash still names the thread
    }
    $("thread-options").disabled = Boolean(id);
    $("options-box").open = !id; // a new conversation's options, folded once it has begun
    $("new-thread").hidden = !id;
    document.body.dataset.thread = id || "";
  }

  // ---------------------------------------------------------------- the log

  function place(node) {
    const welcome = $("welcome");
    if (welcome) welcome.remove();
    log().append(node);
    scrollDown(log());
    return node;
  }

  function userBubble(text, chips) {
    const meta = el("div", "chips");
    for (const chip of chips || []) if (chip) meta.append(el("span", "chip", null, chip));
    return el("div", "bubble user", null, el("p", "message-text", null, text), meta);
  }

  /** Text with its http(s) URLs as links (each part set as text, never as markup). */
  function withLinks(text) {
    const p = el("p", "message-text");
    for (const part of String(text).split(/(https?:\/\/[^\s<>"']+)/)) {
      if (/^https?:\/\//.test(part)) {
        p.append(el("a", "reply-link", { href: part, target: "_blank", rel: "noopener" }, part));
      } else if (part) p.append(part);
    }
    return p;
  }

  function botBubble(text) {
    return el("div", "bubble bot reply", null, withLinks(text));
  }

  function problem(text) {
    place(el("div", "bubble bot", null, el("p", "error", { role: "alert" }, text)));
  }

  /** The progress card of a turn's job, right after the message that started it. */
  function attachCard(jobId, after) {
    if (!jobId || chat.cards.has(jobId)) return chat.cards.get(jobId);
    const card = new RG.JobCard("turn", "Working on it", log());
    card.setId(jobId);
    chat.cards.set(jobId, card);
    if (after && after.parentNode) after.after(card.node);
    else place(card.node);
    trackJob(card);
    return card;
  }

  async function trackJob(card) {
    try {
      const end = await RG.followJob(card.id, (event) => card.onEvent(event));
      if (!card.versionLink) card.title.textContent = "Reply";
      if (end.status === "succeeded") card.finish("succeeded");
      else if (end.status === "rejected") {
        card.finish("rejected");
        card.note("Rejected: no video was rendered");
      } else {
        card.setStatus(end.status);
        card.fail((end.error && end.error.message) || `The turn ended ${end.status}.`);
      }
    } catch (err) {
      if (err.status === 404) card.finish("expired"); // its record is gone; the reply stays
      else {
        card.detached = true; // the thread's events still report it
        card.note(err.message || String(err));
      }
    }
    refresh();
  }

  function adoptPending(msg) {
    let i = chat.pending.findIndex((p) => msg.message_id && p.messageId === msg.message_id);
    if (i < 0) i = chat.pending.findIndex((p) => p.text === msg.text);
    return i < 0 ? null : chat.pending.splice(i, 1)[0].node;
  }

  function renderMessages(messages) {
    for (const msg of messages.slice(chat.shown)) {
      if (msg.role === "user") {
        const node = adoptPending(msg) || place(userBubble(msg.text || ""));
        attachCard(msg.job_id, chat.cards.has(msg.job_id) ? null : node);
      } else {
        place(botBubble(msg.text || ""));
      }
    }
    chat.shown = Math.max(chat.shown, messages.length);
  }

  function linkVersions(versions) {
    for (const v of versions || []) {
      const card = chat.cards.get(v.job_id);
      if (!card || card.versionLink) continue;
      card.title.textContent = `Version ${v.version}`;
      // a version is recorded once its job has succeeded (its end event may still be on its way)
      if (v.status === "succeeded" && !card.node.classList.contains("finished")) {
        card.finish("succeeded");
      }
      card.versionLink = el("a", "version-link", { href: `#version-${v.version}` },
        `Show version ${v.version}`);
      card.versionLink.addEventListener("click", (ev) => {
        ev.preventDefault();
        const target = $(`version-${v.version}`);
        if (target) {
          target.scrollIntoView({ block: "nearest" });
          target.focus();
        }
      });
      card.body.append(card.versionLink);
    }
  }

  // ---------------------------------------------------------------- reading the thread

  async function load() {
    const id = chat.threadId;
    const view = await apiJson(`/v1/threads/${encodeURIComponent(id)}`, { cache: "no-store" });
    if (id !== chat.threadId) return;
    renderMessages(view.messages || []);
    RG.renderVersions(view.versions || []);
    RG.renderPlan(view.plan);
    linkVersions(view.versions);
  }

  /** GET the thread and show what is new; calls made meanwhile run once more after it. */
  function refresh() {
    if (!chat.threadId) return Promise.resolve();
    if (chat.refreshing) {
      chat.again = true;
      return chat.refreshing;
    }
    chat.refreshing = load()
      .catch((err) => {
        if (err.status === 404) {
          forget();
          problem("That conversation is no longer on the server; send a message to start one.");
        } else problem(err.message || String(err));
      })
      .finally(() => {
        chat.refreshing = null;
        if (chat.again) {
          chat.again = false;
          refresh();
        }
      });
    return chat.refreshing;
  }

  function onThreadEvent(event) {
    const card = event.job_id ? chat.cards.get(event.job_id) : null;
    if (card && ["stage", "stage_done", "progress", "resumed", "review"].includes(event.type)) {
      card.onEvent(event);
    }
    if (["message", "version", "turn_end"].includes(event.type)) refresh();
    if (event.type === "turn_end" && card && card.detached) card.finish(event.status || "succeeded");
  }

  /** The thread's events for as long as it is open (the stream has no end event). */
  async function followThread(id) {
    const abort = new AbortController();
    chat.abort = abort;
    const path = `/v1/threads/${encodeURIComponent(id)}/events`;
    while (!abort.signal.aborted) {
      try {
        await RG.followStream(path, onThreadEvent, abort.signal);
      } catch {
        return; // no thread events here: the jobs' own events carry the progress
      }
      await RG.sleep(3000);
    }
  }

  function openThread(id) {
    keepThread(id);
    followThread(id);
    return refresh();
  }

  // ---------------------------------------------------------------- sending

  async function ensureThread() {
    if (chat.threadId) return chat.threadId;
    const made = await postJson("/v1/threads", { options: RG.threadOptions() });
    keepThread(made.id);
    followThread(made.id);
    return made.id;
  }

  async function uploadAll(files) {
    const ids = [];
    for (const file of files) {
      const form = new FormData();
      form.append("file", file, file.name);
      ids.push((await apiJson("/v1/uploads", { method: "POST", body: form })).id);
    }
    return ids;
  }

  async function send(text, files) {
    const chips = [...files].map((f) => `${f.name} (${RG.fmtBytes(f.size)})`);
    if (!chat.threadId) chips.push(...RG.optionChips(RG.threadOptions()));
    const pending = { text, node: place(userBubble(text, chips)), messageId: null };
    chat.pending.push(pending);
    try {
      const id = await ensureThread();
      const body = { text };
      if (files.length) body.attachments = await uploadAll(files);
      const sent = await postJson(`/v1/threads/${encodeURIComponent(id)}/messages`, body);
      pending.messageId = sent.message_id;
      pending.node.dataset.messageId = sent.message_id || "";
      attachCard(sent.job_id, pending.node);
      refresh();
    } catch (err) {
      chat.pending = chat.pending.filter((p) => p !== pending);
      pending.node.after(el("div", "bubble bot", null,
        el("p", "error", { role: "alert" }, err.message || String(err))));
    }
  }

  function onSubmit(ev) {
    ev.preventDefault();
    const box = $("prompt");
    const text = box.value.trim();
    if (!text) return;
    const files = [...($("attach").files || [])];
    box.value = "";
    $("attach").value = "";
    $("attach-names").textContent = "";
    send(text, files);
    box.focus();
  }

  /** Leave the thread: a new one is made by the next message. */
  function forget() {
    if (chat.abort) chat.abort.abort();
    Object.assign(chat, { shown: 0, pending: [], cards: new Map(), abort: null });
    keepThread(null);
    log().replaceChildren(chat.welcome.cloneNode(true));
    RG.clearVersions();
  }

  function newConversation() {
    forget();
    $("prompt").focus();
  }

  RG.initChat = () => {
    $("panel-create").addEventListener("submit", onSubmit);
    $("prompt").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $("panel-create").requestSubmit();
      }
    });
    $("attach").addEventListener("change", () => {
      $("attach-names").textContent = [...$("attach").files].map((f) => f.name).join(", ");
    });
    $("new-thread").addEventListener("click", newConversation);
    chat.welcome = $("welcome").cloneNode(true);
    const id = storedThread();
    keepThread(null);
    if (id) openThread(id);
  };

  RG.newConversation = newConversation;
})();
