// reelgraph studio: the page's start. The conversation (chat.js, versions.js, review.js) is the
// main view; captioning or analyzing a video you have (jobs.js) sit on their own tabs.
// Every string from the server or the user goes in through textContent or attributes, never
// innerHTML; the page's CSP allows only these scripts.
"use strict";

(() => {
  const RG = window.RG;
  const { $ } = RG;
  const SIZES = {
    preview: { "9:16": [360, 640], "16:9": [640, 360], "1:1": [480, 480] },
    tiny: { "9:16": [180, 320], "16:9": [320, 180], "1:1": [240, 240] },
  };

  // ---------------------------------------------------------------- options

  /** Caption look options of a panel: each control with data-look names one; empty = preset. */
  RG.lookOptions = (panel) => {
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
  };

  RG.lookChips = (o) => [o.caption_font ? `font ${o.caption_font}` : null,
    o.caption_color ? `text ${o.caption_color}` : null,
    o.highlight_color ? `highlight ${o.highlight_color}` : null,
    o.caption_size ? `${o.caption_size} px` : null,
    o.caption_position ? `captions at the ${o.caption_position}` : null,
    o.safe_zone ? `safe zone ${o.safe_zone}` : null,
    o.emoji ? "emoji" : null];

  /** The options of a new conversation (sent once, when the thread is made). */
  RG.threadOptions = () => {
    const aspect = $("aspect").value;
    const options = { aspect, caption_style: $("caption-style").value, music: $("music").value,
      ...RG.lookOptions($("thread-options")) };
    const duration = parseFloat($("duration").value);
    if (Number.isFinite(duration) && duration > 0) options.duration = duration;
    if ($("review").checked) options.review = true;
    const size = SIZES[$("size").value];
    if (size) {
      [options.width, options.height] = size[aspect];
      options.quality = "draft";
    }
    return options;
  };

  RG.optionChips = (o) => [o.aspect, o.width ? `${o.width}×${o.height}` : null,
    `captions ${o.caption_style}`, ...RG.lookChips(o), `music ${o.music}`,
    o.duration ? `${o.duration} s` : null, o.review ? "review first" : null];

  // ---------------------------------------------------------------- tabs, key

  function selectTab(tab) {
    for (const t of document.querySelectorAll(".mode")) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
    }
    const view = tab.dataset.view;
    $("view-chat").hidden = view !== "view-chat";
    $("view-jobs").hidden = view !== "view-jobs";
    for (const id of ["panel-caption", "panel-analyze"]) $(id).hidden = tab.dataset.panel !== id;
  }

  function setupTabs() {
    const tabs = [...document.querySelectorAll(".mode")];
    for (const tab of tabs) {
      tab.addEventListener("click", () => selectTab(tab));
      tab.addEventListener("keydown", (ev) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
        if (!step) return;
        ev.preventDefault();
        const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
        selectTab(next);
        next.focus();
      });
    }
  }

  function setupKey() {
    const input = $("api-key");
    const summary = $("key-summary");
    const refresh = () => {
      summary.textContent = RG.apiKey() ? "API key ✓" : "API key";
    };
    input.value = RG.apiKey();
    refresh();
    $("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      try {
        if (input.value.trim()) localStorage.setItem(RG.KEY_STORE, input.value.trim());
        else localStorage.removeItem(RG.KEY_STORE);
      } catch {
        // storage disabled: the key cannot be kept
      }
      refresh();
      $("key-panel").open = false;
    });
    $("key-clear").addEventListener("click", () => {
      input.value = "";
      try {
        localStorage.removeItem(RG.KEY_STORE);
      } catch {
        // nothing stored
      }
      refresh();
    });
  }

  function setupOptions() {
    for (const toggle of document.querySelectorAll(".opts-toggle")) {
      toggle.addEventListener("click", () => {
        const box = $(toggle.getAttribute("aria-controls"));
        const on = box.classList.toggle("show-options");
        toggle.setAttribute("aria-expanded", String(on));
      });
    }
    for (const swatch of document.querySelectorAll(".swatch")) {
      swatch.addEventListener("input", () => {
        $(swatch.dataset.for).value = swatch.value.toUpperCase();
      });
    }
  }

  function init() {
    setupKey();
    setupTabs();
    setupOptions();
    RG.initJobs();
    RG.initChat();
    document.body.dataset.ready = "1";
  }

  init();
})();
