// reelgraph studio, shared pieces: DOM helpers, the API client, server-sent events and the
// progress card of one job. Every string from the server or the user goes in through
// textContent or attributes, never innerHTML; the page's CSP allows only these scripts.
"use strict";

(() => {
  const RG = (window.RG = window.RG || {});
  const KEY_STORE = "reelgraph.apiKey";
  const TERMINAL = new Set(["succeeded", "failed", "canceled", "rejected"]);
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---------------------------------------------------------------- DOM helpers

  /** An element with a class, plain attributes and children (strings become text nodes). */
  function el(tag, cls, attrs, ...children) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function humanStage(name) {
    const text = String(name || "").replace(/[_-]+/g, " ").trim();
    return text ? text[0].toUpperCase() + text.slice(1) : "";
  }

  function fmtBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function fmtTime(s) {
    const t = Math.max(0, Number(s) || 0);
    const m = Math.floor(t / 60);
    return `${m}:${(t - m * 60).toFixed(1).padStart(4, "0")}`;
  }

  /** Scroll a log to its end (the newest message). */
  function scrollDown(log) {
    if (log) log.scrollTop = log.scrollHeight;
  }

  function section(title, ...children) {
    return el("section", "result-section", null, el("h3", null, null, title), ...children);
  }

  // ---------------------------------------------------------------- API

  function apiKey() {
    try {
      return localStorage.getItem(KEY_STORE) || "";
    } catch {
      return "";
    }
  }

  function authHeaders(extra) {
    const headers = new Headers(extra || {});
    const key = apiKey();
    if (key) headers.set("Authorization", `Bearer ${key}`);
    return headers;
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function errorFrom(res) {
    let code = `http_${res.status}`;
    let message = `The server answered ${res.status} ${res.statusText}.`;
    try {
      const body = await res.json();
      if (body && body.error) {
        code = body.error.code || code;
        message = body.error.message || message;
      }
    } catch {
      // not JSON: keep the status line
    }
    return new ApiError(res.status, code, message);
  }

  async function api(path, options = {}) {
    const res = await fetch(path, { ...options, headers: authHeaders(options.headers) });
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async function apiJson(path, options = {}) {
    return (await api(path, options)).json();
  }

  function postJson(path, body) {
    return apiJson(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** The path of an artifact URL: fetched from this origin, whatever base the server names. */
  function localPath(url) {
    const u = new URL(String(url), window.location.href);
    return u.pathname + u.search;
  }

  /** A URL the browser may load directly: the path itself, or an object URL when a key is set. */
  async function mediaUrl(url) {
    if (!apiKey()) return localPath(url);
    const blob = await (await api(localPath(url))).blob();
    return URL.createObjectURL(blob);
  }

  async function download(url, name) {
    const blob = await (await api(localPath(url))).blob();
    const href = URL.createObjectURL(blob);
    const a = el("a", null, { href, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
  }

  /** A download link: a plain link, or fetched with the key (then saved) when one is set. */
  function downloadLink(url, name, label, onError) {
    const link = el("a", "download", { href: localPath(url), download: name, "data-name": name },
      label || name);
    link.addEventListener("click", (ev) => {
      if (!apiKey()) return;
      ev.preventDefault();
      download(url, name).catch((err) => onError(err.message || String(err)));
    });
    return link;
  }

  // ---------------------------------------------------------------- events (SSE over fetch)

  function parseBlock(block) {
    const out = { id: null, data: null };
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "id") out.id = value;
    }
    if (data.length) out.data = data.join("\n");
    return out;
  }

  /** Read one SSE response; calls onEvent per JSON event; returns the end event or null. */
  async function readStream(res, onEvent, state) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let pendingCR = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      let text = (pendingCR ? "\r" : "") + value;
      pendingCR = text.endsWith("\r");
      if (pendingCR) text = text.slice(0, -1);
      buf += text.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = parseBlock(buf.slice(0, cut));
        buf = buf.slice(cut + 2);
        if (block.id) state.lastId = block.id;
        if (block.data === null) continue;
        let event;
        try {
          event = JSON.parse(block.data);
        } catch {
          continue;
        }
        onEvent(event);
        if (event.type === "end") {
          reader.cancel().catch(() => {});
          return event;
        }
      }
    }
  }

  /** Follow an event stream, reconnecting with Last-Event-ID, until its end event (or until
   * `signal` aborts, or 5 attempts in a row brought nothing: then null). */
  async function followStream(path, onEvent, signal) {
    const state = { lastId: null };
    let failures = 0;
    while (failures < 5 && !(signal && signal.aborted)) {
      const before = state.lastId;
      try {
        const headers = { Accept: "text/event-stream" };
        if (state.lastId) headers["Last-Event-ID"] = state.lastId;
        const res = await api(path, { headers, cache: "no-store", signal });
        const end = await readStream(res, onEvent, state);
        if (end) return end;
      } catch (err) {
        if (signal && signal.aborted) return null;
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
      }
      // A stream that delivered events and then closed is resumed at once; one that did not
      // counts as a failure and waits longer each time.
      failures = state.lastId !== before ? 0 : failures + 1;
      await sleep(failures ? 1000 * failures : 200);
    }
    return null;
  }

  /** Follow a job's events to its end; polls the job as a fallback. */
  async function followJob(jobId, onEvent) {
    const end = await followStream(`/v1/jobs/${encodeURIComponent(jobId)}/events`, onEvent);
    return end || pollJob(jobId, onEvent);
  }

  async function pollJob(jobId, onEvent) {
    for (;;) {
      const view = await apiJson(`/v1/jobs/${encodeURIComponent(jobId)}`, { cache: "no-store" });
      if (TERMINAL.has(view.status)) {
        return { type: "end", status: view.status, error: view.error };
      }
      onEvent({ type: "progress", stage: view.stage, progress: view.progress, eta_s: view.eta_s });
      await sleep(2000);
    }
  }

  // ---------------------------------------------------------------- one job's progress card

  /** "42 s", "3 min 5 s": a time left for people. */
  function formatSeconds(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  /** The bot bubble of one job: status, stages, progress bar (announced politely), then the
   * body where results, the review or errors go. `node` is not placed: the caller does. */
  class JobCard {
    constructor(kind, label, log) {
      this.kind = kind;
      this.log = log;
      this.stages = new Map();
      this.title = el("span", "job-title", null, label);
      this.idText = el("span", "job-id", null, "");
      this.status = el("span", "status-pill", { "data-status": "queued" }, "queued");
      this.stageName = el("span", "job-stage", { role: "status", "aria-live": "polite" },
        "Waiting to start…");
      this.percent = el("span", "job-percent", { "aria-hidden": "true" }, "");
      this.eta = el("span", "job-eta", null, "");
      this.bar = el("progress", "job-progress", { max: "1", value: "0",
        "aria-label": `${label}: progress` });
      this.stageList = el("ol", "stages", { "aria-label": "Stages" });
      this.body = el("div", "job-body");
      this.progressBox = el("div", "progress-box", null,
        el("div", "stage-line", null, this.stageName, this.percent, this.eta), this.bar, this.stageList);
      this.node = el("div", "bubble bot job", { "data-kind": kind },
        el("div", "job-head", null, this.title, this.idText, this.status),
        this.progressBox, this.body);
    }

    setId(id) {
      this.id = id;
      this.idText.textContent = id;
      this.node.dataset.jobId = id;
    }

    setStatus(status) {
      this.status.textContent = String(status).replace(/_/g, " ");
      this.status.dataset.status = status;
      this.node.dataset.status = status;
    }

    note(text) {
      if (this.stageName.textContent !== text) this.stageName.textContent = text;
    }

    stage(name, done) {
      if (!name) return;
      let item = this.stages.get(name);
      if (!item) {
        item = el("li", "stage", { "data-stage": name }, humanStage(name));
        this.stages.set(name, item);
        this.stageList.append(item);
      }
      if (done) item.classList.add("done");
      else item.classList.add("active");
    }

    /** The time left (seconds, from the job's estimate); hidden when unknown. */
    timeLeft(seconds) {
      if (typeof seconds !== "number" || !isFinite(seconds)) return;
      this.eta.dataset.seconds = String(seconds);
      this.eta.textContent = `about ${formatSeconds(seconds)} left`;
    }

    onEvent(event) {
      const type = event.type;
      if (this.node.classList.contains("finished")) return;
      if (event.eta_s !== undefined && event.eta_s !== null) this.timeLeft(Number(event.eta_s));
      if (type === "status" && event.status) {
        this.setStatus(event.status);
        if (event.status === "running") this.note("Starting…");
        if (this.reviewBox && event.status !== "awaiting_review") RG.closeReview(this);
      } else if (type === "stage" || type === "progress" || type === "resumed") {
        if (event.stage) {
          this.stage(event.stage, false);
          this.note(humanStage(event.stage) + (type === "resumed" ? " (resumed)" : ""));
        }
        this.setStatus("running");
        const p = Math.min(1, Math.max(0, Number(event.progress) || 0));
        this.bar.value = p;
        this.percent.textContent = `${Math.round(p * 100)}%`;
      } else if (type === "stage_done") {
        this.stage(event.stage, true);
      } else if (type === "retry") {
        this.note("Retrying after a temporary error…");
      } else if (type === "review" && event.review && RG.showReview) {
        this.setStatus("awaiting_review");
        this.note("Waiting for your review");
        RG.showReview(this, event.review);
      }
      scrollDown(this.log);
    }

    finish(status) {
      this.setStatus(status);
      this.eta.textContent = "";
      delete this.eta.dataset.seconds;
      this.node.classList.add("finished");
      for (const item of this.stages.values()) item.classList.remove("active");
      if (status === "succeeded") {
        this.note("Done");
        this.bar.value = 1;
        this.percent.textContent = "100%";
      }
    }

    fail(message) {
      const status = this.status.dataset.status === "canceled" ? "canceled" : "failed";
      this.finish(status);
      this.body.append(el("p", "error", { role: "alert" }, message));
      scrollDown(this.log);
    }
  }

  Object.assign(RG, {
    KEY_STORE, TERMINAL, $, sleep, el, humanStage, fmtBytes, fmtTime, scrollDown, section,
    apiKey, ApiError, api, apiJson, postJson, localPath, mediaUrl, downloadLink,
    followStream, followJob, JobCard,
  });
})();
