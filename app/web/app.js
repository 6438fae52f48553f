// reelgraph studio: submit jobs, stream their events, show the results.
// Every string from the server or the user goes in through textContent or attributes, never
// innerHTML; the page's CSP allows only this script.
"use strict";

(() => {
  const KEY_STORE = "reelgraph.apiKey";
  const PREVIEW_SIZES = { "9:16": [360, 640], "16:9": [640, 360], "1:1": [480, 480] };
  const KIND_LABELS = { create: "Video", caption: "Captioned video", analyze: "Analysis" };
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

  async function submitJob(body) {
    return apiJson("/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function upload(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    return apiJson("/v1/uploads", { method: "POST", body: form });
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

  /** Follow a job's events to its end, reconnecting with Last-Event-ID; polls as a fallback. */
  async function followJob(jobId, onEvent) {
    const state = { lastId: null };
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/events`;
    let failures = 0;
    while (failures < 5) {
      const before = state.lastId;
      try {
        const headers = { Accept: "text/event-stream" };
        if (state.lastId) headers["Last-Event-ID"] = state.lastId;
        const res = await api(path, { headers, cache: "no-store" });
        const end = await readStream(res, onEvent, state);
        if (end) return end;
      } catch (err) {
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
      }
      // A stream that delivered events and then closed is resumed at once; one that did not
      // counts as a failure and waits longer each time.
      failures = state.lastId !== before ? 0 : failures + 1;
      await sleep(failures ? 1000 * failures : 200);
    }
    return pollJob(jobId, onEvent);
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

  // ---------------------------------------------------------------- chat log

  const log = () => $("log");

  function scrollDown() {
    const node = log();
    node.scrollTop = node.scrollHeight;
  }

  function addBubble(who, ...children) {
    const welcome = $("welcome");
    if (welcome) welcome.remove();
    const bubble = el("div", `bubble ${who}`, null, ...children);
    log().append(bubble);
    scrollDown();
    return bubble;
  }

  function userMessage(text, chips) {
    const meta = el("div", "chips");
    for (const chip of chips) if (chip) meta.append(el("span", "chip", null, chip));
    return addBubble("user", el("p", "message-text", null, text), meta);
  }

  /** "42 s", "3 min 5 s": a time left for people. */
  function formatSeconds(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  /** The bot bubble of one job: status, stages, progress bar, then the result. */
  class JobCard {
    constructor(kind) {
      this.kind = kind;
      this.stages = new Map();
      this.title = el("span", "job-title", null, KIND_LABELS[kind] || kind);
      this.idText = el("span", "job-id", null, "");
      this.status = el("span", "status-pill", { "data-status": "queued" }, "queued");
      this.stageName = el("span", "job-stage", null, "Waiting to start…");
      this.percent = el("span", "job-percent", null, "");
      this.eta = el("span", "job-eta", { "aria-live": "polite" }, "");
      this.bar = el("progress", "job-progress", { max: "1", value: "0" });
      this.stageList = el("ol", "stages");
      this.body = el("div", "job-body");
      this.progressBox = el("div", "progress-box", null,
        el("div", "stage-line", null, this.stageName, this.percent, this.eta), this.bar, this.stageList);
      this.node = addBubble("bot job", el("div", "job-head", null, this.title, this.idText,
        this.status), this.progressBox, this.body);
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
      this.stageName.textContent = text;
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
      if (event.eta_s !== undefined && event.eta_s !== null) this.timeLeft(Number(event.eta_s));
      if (type === "status" && event.status) {
        this.setStatus(event.status);
        if (event.status === "running") this.note("Starting…");
      } else if (type === "stage" || type === "progress" || type === "resumed") {
        if (event.stage) {
          this.stage(event.stage, false);
          this.stageName.textContent = humanStage(event.stage)
            + (type === "resumed" ? " (resumed)" : "");
        }
        this.setStatus("running");
        const p = Math.min(1, Math.max(0, Number(event.progress) || 0));
        this.bar.value = p;
        this.percent.textContent = `${Math.round(p * 100)}%`;
      } else if (type === "stage_done") {
        this.stage(event.stage, true);
        this.bar.value = 1;
        this.percent.textContent = "100%";
      } else if (type === "retry") {
        this.note("Retrying after a temporary error…");
      } else if (type === "review" && event.review) {
        this.setStatus("awaiting_review");
        this.note("Waiting for your review");
        showReview(this, event.review);
      }
      scrollDown();
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
      this.finish(this.status.dataset.status === "canceled" ? "canceled" : "failed");
      this.body.append(el("p", "error", { role: "alert" }, message));
      scrollDown();
    }
  }

  // ---------------------------------------------------------------- results

  function section(title, ...children) {
    return el("section", "result-section", null, el("h3", null, null, title), ...children);
  }

  async function showVideo(card, artifacts) {
    if (!artifacts["video.mp4"]) return;
    const video = el("video", "player", { controls: "", playsinline: "", preload: "metadata" });
    card.body.append(el("div", "player-wrap", null, video));
    if (artifacts["thumbnail.jpg"]) {
      mediaUrl(artifacts["thumbnail.jpg"]).then((src) => { video.poster = src; }, () => {});
    }
    video.src = await mediaUrl(artifacts["video.mp4"]);
    scrollDown();
  }

  async function showStoryboard(card, artifacts) {
    if (!artifacts["plan.json"]) return;
    const plan = await (await api(localPath(artifacts["plan.json"]))).json();
    const list = el("ol", "storyboard");
    for (const [i, scene] of (plan.scenes || []).entries()) {
      const keywords = el("div", "chips");
      for (const kw of scene.keywords || []) keywords.append(el("span", "chip", null, kw));
      list.append(el("li", "scene", null,
        el("span", "scene-no", null, String(i + 1)),
        el("div", "scene-body", null,
          el("p", "narration", null, scene.narration || ""),
          scene.visual ? el("p", "visual", null, scene.visual) : null,
          keywords)));
    }
    const head = el("div", "plan-head", null, el("strong", "plan-title", null, plan.title || ""));
    if (plan.mood) head.append(el("span", "chip mood", null, `mood: ${plan.mood}`));
    card.body.append(section("Storyboard", head, list));
  }

  // ---------------------------------------------------------------- review before the render

  async function answerReview(card, box, body, next) {
    const controls = box.querySelectorAll("button, textarea, input");
    for (const c of controls) c.disabled = true;
    try {
      await apiJson(`/v1/jobs/${encodeURIComponent(card.id)}/review`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      box.dataset.answered = body.action;
      card.note(next);
    } catch (err) {
      for (const c of controls) c.disabled = false;
      box.append(el("p", "error", { role: "alert" }, err.message || String(err)));
    }
  }

  /** One card per scene: its thumbnail, duration and narration (editable after Edit). */
  function reviewCard(item, onEdit) {
    const img = el("img", "thumb", { alt: `Scene ${item.scene}` });
    if (item.thumbnail_url) mediaUrl(item.thumbnail_url).then((src) => { img.src = src; }, () => {});
    const text = el("textarea", "narration", { readonly: "", rows: "2", maxlength: "1200",
      "aria-label": `Narration of scene ${item.scene}` });
    text.value = item.narration || "";
    const edit = el("button", "btn small ghost edit", { type: "button" }, "Edit");
    edit.addEventListener("click", () => {
      text.readOnly = false;
      text.focus();
      edit.hidden = true;
      onEdit();
    });
    const info = el("span", "duration", null,
      `Scene ${item.scene} · ${Number(item.duration || 0).toFixed(1)} s`);
    const node = el("li", "review-card", { "data-scene": item.scene }, img,
      el("div", null, null, info, text, edit));
    return { node, text };
  }

  /** The storyboard and draft preview of a job awaiting review, with its answers. */
  function showReview(card, review) {
    if (card.reviewBox) card.reviewBox.remove();
    const plan = review.plan || { scenes: [] };
    const preview = el("video", "review-preview",
      { controls: "", playsinline: "", preload: "metadata" });
    if (review.preview_url) mediaUrl(review.preview_url).then((src) => { preview.src = src; }, () => {});
    const apply = el("button", "btn small apply", { type: "button", hidden: "" }, "Render with edits");
    const cards = (review.storyboard || []).map((item) => reviewCard(item, () => {
      apply.hidden = false;
    }));
    const approve = el("button", "btn small approve", { type: "button" }, "Approve");
    const reject = el("button", "btn small ghost reject", { type: "button" }, "Reject");
    const ask = el("input", "ask-text", { type: "text", maxlength: "2000",
      placeholder: "or ask for a change…", "aria-label": "Ask for a change" });
    const send = el("button", "btn small ghost ask", { type: "button" }, "Ask");
    const box = el("div", "review-box", { "data-round": review.round }, preview,
      el("ol", "review-cards", null, ...cards.map((c) => c.node)),
      el("div", "review-actions", null, approve, apply, reject, ask, send));
    approve.addEventListener("click", () => answerReview(card, box, { action: "approve" },
      "Approved: rendering the full video…"));
    apply.addEventListener("click", () => {
      const scenes = (plan.scenes || []).map((scene, i) => (
        cards[i] ? { ...scene, narration: cards[i].text.value.trim() } : scene));
      answerReview(card, box, { action: "edit", plan: { ...plan, scenes } },
        "Edited: rendering the full video…");
    });
    reject.addEventListener("click", () => answerReview(card, box, { action: "reject" },
      "Rejecting…"));
    send.addEventListener("click", () => {
      const message = ask.value.trim();
      if (message) answerReview(card, box, { action: "edit", message }, "Planning again…");
    });
    card.reviewBox = section(`Review: ${review.title || "the plan"}`, box);
    card.reviewBox.classList.add("review");
    card.body.append(card.reviewBox);
    scrollDown();
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

  function showDownloads(card, artifacts) {
    const names = Object.keys(artifacts).sort((a, b) => {
      const rank = (n) => (n.startsWith("video") ? 0 : n.startsWith("captions") ? 1 : 2);
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    if (!names.length) return;
    const list = el("ul", "downloads");
    for (const name of names) {
      const link = el("a", "download", { href: localPath(artifacts[name]), download: name,
        "data-name": name }, name);
      link.addEventListener("click", (ev) => {
        if (!apiKey()) return;
        ev.preventDefault();
        download(artifacts[name], name).catch((err) => card.fail(err.message));
      });
      list.append(el("li", null, null, link));
    }
    card.body.append(section("Downloads", list));
  }

  async function showAnalysis(card, artifacts) {
    if (!artifacts["analysis.json"]) return;
    const doc = await (await api(localPath(artifacts["analysis.json"]))).json();
    const tr = doc.transcript || {};
    const lang = tr.language ? ` (${tr.language})` : "";
    card.body.append(section(`Transcript${lang}`,
      el("p", "transcript", null, tr.text || "No speech was found.")));
    const items = doc.on_screen_text || [];
    const list = el("ul", "screen-text");
    for (const item of items) {
      list.append(el("li", null, null,
        el("span", "time", null, `${fmtTime(item.start)}–${fmtTime(item.end)}`),
        el("span", "text", null, item.text || "")));
    }
    card.body.append(section("Text on screen",
      items.length ? list : el("p", "muted", null, "No text was read on screen.")));
  }

  async function showResult(card) {
    const result = await apiJson(`/v1/jobs/${encodeURIComponent(card.id)}/result`);
    if (result.status !== "succeeded") {
      card.fail((result.error && result.error.message) || `The job ended ${result.status}.`);
      return;
    }
    card.finish("succeeded");
    const artifacts = result.artifacts || {};
    const parts = [showVideo(card, artifacts)];
    if (card.kind === "create") parts.push(showStoryboard(card, artifacts));
    if (card.kind === "analyze") parts.push(showAnalysis(card, artifacts));
    const settled = await Promise.allSettled(parts);
    showDownloads(card, artifacts);
    for (const s of settled) {
      if (s.status === "rejected") card.body.append(el("p", "error", null, s.reason.message));
    }
    scrollDown();
  }

  async function runJob(card, body) {
    try {
      const job = await submitJob(body);
      card.setId(job.id);
      card.setStatus(job.status);
      const end = await followJob(job.id, (event) => card.onEvent(event));
      if (end.status === "succeeded") await showResult(card);
      else if (end.status === "rejected") {
        card.finish("rejected");
        card.note("Rejected: no video was rendered");
      } else {
        card.setStatus(end.status);
        card.fail((end.error && end.error.message) || `The job ended ${end.status}.`);
      }
    } catch (err) {
      card.fail(err.message || String(err));
    }
  }

  // ---------------------------------------------------------------- forms

  /** Caption look options of a panel: each control with data-look names one; empty = preset. */
  function lookOptions(panel) {
    const options = {};
    for (const control of panel.querySelectorAll("[data-look]")) {
      if (control.type === "checkbox") {
        if (control.checked) options[control.dataset.look] = true;
        continue;
      }
      const value = control.value.trim();
      if (value) options[control.dataset.look] = control.type === "number" ? Number(value) : value;
    }
    return options;
  }

  function lookChips(o) {
    return [o.caption_font ? `font ${o.caption_font}` : null,
      o.caption_color ? `text ${o.caption_color}` : null,
      o.highlight_color ? `highlight ${o.highlight_color}` : null,
      o.caption_size ? `${o.caption_size} px` : null,
      o.caption_position ? `captions at the ${o.caption_position}` : null,
      o.safe_zone ? `safe zone ${o.safe_zone}` : null,
      o.emoji ? "emoji" : null];
  }

  function createBody() {
    const aspect = $("aspect").value;
    const options = { aspect, caption_style: $("caption-style").value, music: $("music").value,
      ...lookOptions($("panel-create")) };
    const duration = parseFloat($("duration").value);
    if (Number.isFinite(duration) && duration > 0) options.duration = duration;
    if ($("review").checked) options.review = true;
    if ($("size").value === "preview") {
      [options.width, options.height] = PREVIEW_SIZES[aspect];
      options.quality = "draft";
    }
    return { kind: "create", input: { prompt: $("prompt").value.trim() }, options };
  }

  function onCreate(ev) {
    ev.preventDefault();
    const body = createBody();
    if (!body.input.prompt) return;
    const o = body.options;
    userMessage(body.input.prompt, [o.aspect, o.width ? `${o.width}×${o.height}` : null,
      `captions ${o.caption_style}`, ...lookChips(o), `music ${o.music}`,
      o.duration ? `${o.duration} s` : null, o.review ? "review first" : null]);
    $("prompt").value = "";
    runJob(new JobCard("create"), body);
  }

  async function onFileJob(kind, ev) {
    ev.preventDefault();
    const input = $(`${kind}-file`);
    const file = input.files && input.files[0];
    if (!file) return;
    const options = {};
    if (kind === "caption") {
      options.caption_style = $("caption-style-edit").value;
      if ($("caption-aspect").value) options.aspect = $("caption-aspect").value;
      if ($("cut-silences").checked) options.cut_silences = true;
      if ($("remove-fillers").checked) options.remove_fillers = true;
      if ($("remove-retakes").checked) options.remove_retakes = true;
      Object.assign(options, lookOptions($("panel-caption")));
    }
    const chips = [fmtBytes(file.size)];
    if (kind === "caption") {
      chips.push(`captions ${options.caption_style}`, ...lookChips(options),
        options.aspect || "source shape",
        options.cut_silences ? "silences removed" : null,
        options.remove_fillers ? "fillers removed" : null,
        options.remove_retakes ? "retakes removed" : null);
    }
    userMessage(`${kind === "caption" ? "Caption" : "Analyze"} ${file.name}`, chips);
    input.value = "";
    const card = new JobCard(kind);
    card.note(`Uploading ${file.name}…`);
    try {
      const asset = await upload(file);
      card.note("Uploaded; queued.");
      await runJob(card, { kind, input: { video: asset.id }, options });
    } catch (err) {
      card.fail(err.message || String(err));
    }
  }

  function selectTab(tab) {
    for (const t of document.querySelectorAll(".tab")) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      $(t.dataset.panel).hidden = !on;
    }
  }

  function setupKey() {
    const input = $("api-key");
    const summary = $("key-summary");
    const refresh = () => {
      summary.textContent = apiKey() ? "API key ✓" : "API key";
    };
    input.value = apiKey();
    refresh();
    $("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      try {
        if (input.value.trim()) localStorage.setItem(KEY_STORE, input.value.trim());
        else localStorage.removeItem(KEY_STORE);
      } catch {
        // storage disabled: the key cannot be kept
      }
      refresh();
      $("key-panel").open = false;
    });
    $("key-clear").addEventListener("click", () => {
      input.value = "";
      try {
        localStorage.removeItem(KEY_STORE);
      } catch {
        // nothing stored
      }
      refresh();
    });
  }

  function init() {
    setupKey();
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => selectTab(tab));
    }
    $("opts-toggle").addEventListener("click", () => {
      const on = $("composer").classList.toggle("show-options");
      $("opts-toggle").setAttribute("aria-expanded", String(on));
    });
    for (const swatch of document.querySelectorAll(".swatch")) {
      swatch.addEventListener("input", () => {
        $(swatch.dataset.for).value = swatch.value.toUpperCase();
      });
    }
    $("panel-create").addEventListener("submit", onCreate);
    $("panel-caption").addEventListener("submit", (ev) => onFileJob("caption", ev));
    $("panel-analyze").addEventListener("submit", (ev) => onFileJob("analyze", ev));
    $("prompt").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $("panel-create").requestSubmit();
      }
    });
    document.body.dataset.ready = "1";
  }

  init();
})();
