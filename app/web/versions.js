// reelgraph studio, the versions of a conversation's video: one card per version (player, what
// changed, downloads), newest first, the latest beside the previous one; and the current plan.
"use strict";

(() => {
  const RG = window.RG;
  const { $, el, apiJson, mediaUrl } = RG;
  const cards = new Map(); // version number -> {node, status, body}

  function downloadsOf(v, artifacts) {
    const n = v.version;
    const list = el("ul", "downloads", { "aria-label": `Downloads of version ${n}` });
    const add = (url, name, label) => {
      if (!url) return;
      const link = RG.downloadLink(url, name, label, (msg) => {
        list.append(el("li", "error", { role: "alert" }, msg));
      });
      link.dataset.kind = label;
      list.append(el("li", null, null, link));
    };
    add(v.video_url || artifacts["video.mp4"], `v${n}.mp4`, "mp4");
    add(artifacts["captions.srt"], `v${n}.srt`, "srt");
    add(v.report_url || artifacts["report.json"], `v${n}.report.json`, "report");
    add(v.spec_url || artifacts["spec.json"], `v${n}.spec.json`, "spec");
    return list;
  }

  /** The job's artifacts (for the captions file), or {} when they cannot be read. */
  async function artifactsOf(v) {
    if (!v.job_id) return {};
    try {
      const result = await apiJson(`/v1/jobs/${encodeURIComponent(v.job_id)}/result`);
      return result.artifacts || {};
    } catch {
      return {};
    }
  }

  async function fillCard(entry, v) {
    const n = v.version;
    entry.body.replaceChildren();
    const changed = (v.changed || []).map(String);
    entry.body.append(el("p", "changed", null,
      n === 1 && !changed.length ? "First version" : changed.join("; ") || "No change"));
    if (v.status && v.status !== "succeeded") return;
    const video = el("video", "player", { controls: "", playsinline: "", preload: "metadata",
      "data-version": n, "aria-label": `Version ${n}` });
    entry.body.append(el("div", "player-wrap", null, video));
    const artifacts = await artifactsOf(v);
    entry.body.append(downloadsOf(v, artifacts));
    const src = v.video_url || artifacts["video.mp4"];
    if (src) video.src = await mediaUrl(src);
    if (artifacts["thumbnail.jpg"]) {
      mediaUrl(artifacts["thumbnail.jpg"]).then((p) => { video.poster = p; }, () => {});
    }
  }

  function newCard(v) {
    const n = v.version;
    const status = el("span", "status-pill", null, "");
    const badge = el("span", "version-badge", null, "");
    const body = el("div", "version-body");
    const node = el("article", "version", { id: `version-${n}`, tabindex: "-1",
      "data-version": n, "aria-labelledby": `version-${n}-title` },
    el("header", "version-head", null,
      el("h3", "version-title", { id: `version-${n}-title` }, `Version ${n}`), badge, status),
    body);
    return { node, status, badge, body, state: null };
  }

  /** Show the thread's versions: new cards added, changed ones refilled, newest first. */
  RG.renderVersions = (versions) => {
    const grid = $("version-grid");
    const sorted = [...(versions || [])].sort((a, b) => b.version - a.version);
    for (const v of sorted) {
      let entry = cards.get(v.version);
      if (!entry) {
        entry = newCard(v);
        cards.set(v.version, entry);
      }
      const state = `${v.status || "succeeded"}|${v.video_url || ""}`;
      entry.status.textContent = String(v.status || "succeeded").replace(/_/g, " ");
      entry.status.dataset.status = v.status || "succeeded";
      entry.node.dataset.status = v.status || "succeeded";
      if (entry.state !== state) {
        entry.state = state;
        fillCard(entry, v).catch((err) => {
          entry.body.append(el("p", "error", { role: "alert" }, err.message || String(err)));
        });
      }
    }
    sorted.forEach((v, i) => {
      const entry = cards.get(v.version);
      entry.badge.textContent = i === 0 ? "Latest" : i === 1 ? "Previous" : "";
      entry.node.classList.toggle("latest", i === 0);
      entry.node.classList.toggle("previous", i === 1);
      grid.append(entry.node); // appending in order moves each to its place
    });
    $("versions-empty").hidden = sorted.length > 0;
  };

  /** The plan of the latest version: title, mood and one line per scene. */
  RG.renderPlan = (plan) => {
    const box = $("plan-box");
    box.hidden = !plan || !(plan.scenes || []).length;
    if (box.hidden) return;
    const list = el("ol", "storyboard");
    for (const [i, scene] of (plan.scenes || []).entries()) {
      list.append(el("li", "scene", null, el("span", "scene-no", null, String(i + 1)),
        el("div", "scene-body", null, el("p", "narration", null, scene.narration || ""),
          scene.visual ? el("p", "visual", null, scene.visual) : null)));
    }
    const head = el("div", "plan-head", null, el("strong", "plan-title", null, plan.title || ""));
    if (plan.mood) head.append(el("span", "chip mood", null, `mood: ${plan.mood}`));
    $("plan-content").replaceChildren(head, list);
  };

  RG.clearVersions = () => {
    cards.clear();
    $("version-grid").replaceChildren();
    $("versions-empty").hidden = false;
    $("plan-box").hidden = true;
  };
})();
