// reelgraph studio, the review before the full render (option `review`): the draft preview and
// one storyboard card per scene (thumbnail, scene, duration, narration) with Edit on each card,
// then Approve, Render with edits, Reject or a change asked for in words.
"use strict";

(() => {
  const RG = window.RG;
  const { el, section, mediaUrl, postJson, scrollDown } = RG;

  async function answerReview(card, box, body, next) {
    const controls = box.querySelectorAll("button, textarea, input");
    for (const c of controls) c.disabled = true;
    try {
      await postJson(`/v1/jobs/${encodeURIComponent(card.id)}/review`, body);
      box.dataset.answered = body.action;
      card.note(next);
    } catch (err) {
      for (const c of controls) c.disabled = false;
      box.append(el("p", "error", { role: "alert" }, err.message || String(err)));
    }
  }

  /** One card per scene: its thumbnail, duration and narration (editable after Edit). */
  function reviewCard(item, onEdit) {
    const img = el("img", "thumb", { alt: `Scene ${item.scene}`, width: "96" });
    if (item.thumbnail_url) {
      mediaUrl(item.thumbnail_url).then((src) => { img.src = src; }, () => {});
    }
    const text = el("textarea", "narration", { readonly: "", rows: "2", maxlength: "1200",
      "aria-label": `Narration of scene ${item.scene}` });
    text.value = item.narration || "";
    const edit = el("button", "btn small ghost edit", { type: "button",
      "aria-label": `Edit scene ${item.scene}` }, "Edit");
    edit.addEventListener("click", () => {
      text.readOnly = false;
      text.focus();
      edit.hidden = true;
      onEdit();
    });
    const info = el("span", "duration", null,
      `Scene ${item.scene} · ${Number(item.duration || 0).toFixed(1)} s`);
    const node = el("li", "review-card", { "data-scene": item.scene }, img,
      el("div", "review-card-body", null, info, text, edit));
    return { node, text };
  }

  function reviewActions(card, box, plan, cards, apply) {
    const approve = el("button", "btn small approve", { type: "button" }, "Approve");
    const reject = el("button", "btn small ghost reject", { type: "button" }, "Reject");
    const ask = el("input", "ask-text", { type: "text", maxlength: "2000",
      placeholder: "or ask for a change…", "aria-label": "Ask for a change to the plan" });
    const send = el("button", "btn small ghost ask", { type: "button" }, "Ask");
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
    const askNow = () => {
      const message = ask.value.trim();
      if (message) answerReview(card, box, { action: "edit", message }, "Planning again…");
    };
    send.addEventListener("click", askNow);
    ask.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.isComposing) {
        ev.preventDefault();
        askNow();
      }
    });
    return el("div", "review-actions", null, approve, apply, reject, ask, send);
  }

  /** A review answered (here, in the chat or elsewhere): its controls stay, disabled. */
  RG.closeReview = (card) => {
    const box = card.reviewBox && card.reviewBox.querySelector(".review-box");
    if (!box || box.dataset.answered) return;
    box.dataset.answered = "elsewhere";
    for (const c of box.querySelectorAll("button, textarea, input")) c.disabled = true;
  };

  /** The storyboard and draft preview of a job awaiting review, with its answers. */
  RG.showReview = (card, review) => {
    if (card.reviewBox) card.reviewBox.remove();
    const plan = review.plan || { scenes: [] };
    const preview = el("video", "review-preview", { controls: "", playsinline: "",
      preload: "metadata", "aria-label": "Draft preview" });
    if (review.preview_url) {
      mediaUrl(review.preview_url).then((src) => { preview.src = src; }, () => {});
    }
    const apply = el("button", "btn small apply", { type: "button", hidden: "" },
      "Render with edits");
    const cards = (review.storyboard || []).map((item) => reviewCard(item, () => {
      apply.hidden = false;
    }));
    const box = el("div", "review-box", { "data-round": review.round }, preview,
      el("ol", "review-cards", { "aria-label": "Storyboard" }, ...cards.map((c) => c.node)));
    box.append(reviewActions(card, box, plan, cards, apply));
    card.reviewBox = section(`Review: ${review.title || "the plan"}`, box);
    card.reviewBox.classList.add("review");
    card.body.append(card.reviewBox);
    if (review.decision) RG.closeReview(card);
    scrollDown(card.log);
  };
})();
