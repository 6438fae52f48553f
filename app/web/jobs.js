// reelgraph studio, one-shot jobs: caption or analyze a video you have (upload, progress,
// player, transcript, downloads), in their own log beside the conversation.
"use strict";

(() => {
  const RG = window.RG;
  const { $, el, section, api, apiJson, postJson, localPath, mediaUrl, scrollDown } = RG;
  const KIND_LABELS = { create: "Video", caption: "Captioned video", analyze: "Analysis" };

  const log = () => $("jobs-log");

  function addBubble(node) {
    const welcome = $("jobs-welcome");
    if (welcome) welcome.remove();
    log().append(node);
    scrollDown(log());
    return node;
  }

  function userMessage(text, chips) {
    const meta = el("div", "chips");
    for (const chip of chips) if (chip) meta.append(el("span", "chip", null, chip));
    return addBubble(el("div", "bubble user", null, el("p", "message-text", null, text), meta));
  }

  async function showVideo(card, artifacts) {
    if (!artifacts["video.mp4"]) return;
    const video = el("video", "player", { controls: "", playsinline: "", preload: "metadata",
      "aria-label": `${KIND_LABELS[card.kind] || "Video"} player` });
    card.body.append(el("div", "player-wrap", null, video));
    if (artifacts["thumbnail.jpg"]) {
      mediaUrl(artifacts["thumbnail.jpg"]).then((src) => { video.poster = src; }, () => {});
    }
    video.src = await mediaUrl(artifacts["video.mp4"]);
    scrollDown(log());
  }

  function showDownloads(card, artifacts) {
    const names = Object.keys(artifacts).sort((a, b) => {
      const rank = (n) => (n.startsWith("video") ? 0 : n.startsWith("captions") ? 1 : 2);
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    if (!names.length) return;
    const list = el("ul", "downloads");
    for (const name of names) {
      list.append(el("li", null, null,
        RG.downloadLink(artifacts[name], name, name, (msg) => card.fail(msg))));
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
        el("span", "time", null, `${RG.fmtTime(item.start)}–${RG.fmtTime(item.end)}`),
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
    if (card.kind === "analyze") parts.push(showAnalysis(card, artifacts));
    const settled = await Promise.allSettled(parts);
    showDownloads(card, artifacts);
    for (const s of settled) {
      if (s.status === "rejected") card.body.append(el("p", "error", null, s.reason.message));
    }
    scrollDown(log());
  }

  async function runJob(card, body) {
    try {
      const job = await postJson("/v1/jobs", body);
      card.setId(job.id);
      card.setStatus(job.status);
      const end = await RG.followJob(job.id, (event) => card.onEvent(event));
      if (end.status === "succeeded") await showResult(card);
      else {
        card.setStatus(end.status);
        card.fail((end.error && end.error.message) || `The job ended ${end.status}.`);
      }
    } catch (err) {
      card.fail(err.message || String(err));
    }
  }

  async function upload(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    return apiJson("/v1/uploads", { method: "POST", body: form });
  }

  function captionOptions() {
    const options = { caption_style: $("caption-style-edit").value };
    if ($("caption-aspect").value) options.aspect = $("caption-aspect").value;
    if ($("cut-silences").checked) options.cut_silences = true;
    if ($("remove-fillers").checked) options.remove_fillers = true;
    if ($("remove-retakes").checked) options.remove_retakes = true;
    return Object.assign(options, RG.lookOptions($("panel-caption")));
  }

  function captionChips(o) {
    return [`captions ${o.caption_style}`, ...RG.lookChips(o), o.aspect || "source shape",
      o.cut_silences ? "silences removed" : null,
      o.remove_fillers ? "fillers removed" : null,
      o.remove_retakes ? "retakes removed" : null];
  }

  async function onFileJob(kind, ev) {
    ev.preventDefault();
    const input = $(`${kind}-file`);
    const file = input.files && input.files[0];
    if (!file) return;
    const options = kind === "caption" ? captionOptions() : {};
    const chips = [RG.fmtBytes(file.size), ...(kind === "caption" ? captionChips(options) : [])];
    userMessage(`${kind === "caption" ? "Caption" : "Analyze"} ${file.name}`, chips);
    input.value = "";
    const card = new RG.JobCard(kind, KIND_LABELS[kind], log());
    addBubble(card.node);
    card.note(`Uploading ${file.name}…`);
    try {
      const asset = await upload(file);
      card.note("Uploaded; queued.");
      await runJob(card, { kind, input: { video: asset.id }, options });
    } catch (err) {
      card.fail(err.message || String(err));
    }
  }

  RG.initJobs = () => {
    $("panel-caption").addEventListener("submit", (ev) => onFileJob("caption", ev));
    $("panel-analyze").addEventListener("submit", (ev) => onFileJob("analyze", ev));
  };
})();
