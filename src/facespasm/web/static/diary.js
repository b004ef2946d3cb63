// The diary page: log an episode in two taps, record the day's factors, and show the history,
// the trigger analysis and the treatment cycles from the diary API.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, svg, api } = FS;
  const CHART_DAYS = 30;

  const localDate = (d) => {
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  };
  const asList = (data, key) => (Array.isArray(data) ? data : (data && data[key]) || []);

  function setupChoices() {
    for (const group of document.querySelectorAll(".choices")) {
      const multiple = group.dataset.multiple === "true";
      group.addEventListener("click", (event) => {
        const button = event.target.closest("button.choice");
        if (!button) return;
        const pressed = button.getAttribute("aria-pressed") === "true";
        if (!multiple) group.querySelectorAll(".choice").forEach((b) => b.setAttribute("aria-pressed", "false"));
        button.setAttribute("aria-pressed", String(multiple ? !pressed : true));
      });
    }
  }

  const chosen = (name) => [...document.querySelectorAll('[data-group="' + name + '"] .choice[aria-pressed="true"]')]
    .map((b) => b.dataset.value);

  async function saveEpisode(event) {
    event.preventDefault();
    const side = chosen("side")[0];
    const regions = chosen("regions");
    const out = $("episode-status");
    if (!side || !regions.length) {
      out.textContent = "Choose a side and at least one place first.";
      return;
    }
    const severity = $("severity").value;
    const body = { side, regions, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" };
    if (severity) body.severity = Number(severity);
    try {
      await api("POST", "/diary/episodes", body);
      out.textContent = "Saved: " + side + " " + regions.join(", ") + " at " + new Date().toLocaleTimeString() + ".";
      document.querySelectorAll(".choice").forEach((b) => b.setAttribute("aria-pressed", "false"));
      $("severity").value = "";
      refresh();
    } catch (error) {
      out.textContent = "Not saved: " + error.message;
    }
  }

  async function saveDay(event) {
    event.preventDefault();
    const body = {};
    for (const name of ["sleep_hours", "caffeine_drinks", "alcohol_drinks", "stress_0_10", "screen_hours"]) {
      const input = $(name);
      if (input.value !== "") body[name] = Number(input.value);
    }
    if ($("nicotine").value) body.nicotine = $("nicotine").value === "true";
    const date = $("day-date").value || localDate(new Date());
    try {
      await api("PUT", "/diary/days/" + date, body);
      $("day-status").textContent = "Saved " + date + ".";
      refresh();
    } catch (error) {
      $("day-status").textContent = "Not saved: " + error.message;
    }
  }

  function drawHistory(days) {
    const counts = new Map(days.map((d) => [String(d.date), Number(d.episodes) || 0]));
    const today = new Date();
    const dates = [];
    for (let i = CHART_DAYS - 1; i >= 0; i--) {
      const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - i);
      dates.push(localDate(d));
    }
    const values = dates.map((d) => counts.get(d) || 0);
    const total = values.reduce((a, b) => a + b, 0);
    const max = Math.max(1, ...values);
    const W = 400, H = 180, left = 24, bottom = 24, top = 10;
    const barW = (W - left - 10) / dates.length;
    const y = (v) => top + (H - top - bottom) * (1 - v / max);
    const parts = [svg("line", { x1: left, x2: W - 10, y1: H - bottom, y2: H - bottom, stroke: "#4a525c" })];
    for (const tick of [0, Math.ceil(max / 2), max]) {
      parts.push(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, tick));
    }
    dates.forEach((date, i) => {
      const v = values[i];
      const x = left + i * barW;
      if (v > 0) {
        parts.push(svg("rect", { class: "bar-rect", x: x + 2, y: y(v), width: barW - 4, height: H - bottom - y(v), "data-date": date },
          svg("title", {}, date + ": " + v + (v === 1 ? " episode" : " episodes"))));
      }
      if (i % 7 === (dates.length - 1) % 7) {
        parts.push(svg("text", { x: x + barW / 2, y: H - 8, "text-anchor": "middle" }, date.slice(5)));
      }
    });
    $("history").replaceChildren(
      svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": total + " episodes in the last " + CHART_DAYS + " days" }, parts),
      el("p", { class: "help" }, total + (total === 1 ? " episode" : " episodes") + " in the last " + CHART_DAYS + " days."));
  }

  function drawTriggers(report) {
    const factors = (report && report.factors) || [];
    const parts = [];
    if (factors.length) {
      parts.push(el("div", { class: "table-wrap" }, el("table", {},
        el("thead", {}, el("tr", {}, ["Factor", "Rate ratio", "95% interval", "p", "Clear effect?"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, factors.map((f) => el("tr", {},
          el("td", {}, FS.humanise(f.factor)), el("td", {}, Number(f.rate_ratio).toFixed(2)),
          el("td", {}, Number(f.ci_low).toFixed(2) + "–" + Number(f.ci_high).toFixed(2)),
          el("td", {}, Number(f.p_value) < 0.001 ? "<0.001" : Number(f.p_value).toFixed(3)),
          el("td", {}, f.significant ? "yes" : "no")))))));
    }
    if (report && report.findings && report.findings.length) parts.push(el("ul", {}, report.findings.map((t) => el("li", {}, el("strong", {}, t)))));
    if (report && report.notes && report.notes.length) parts.push(el("ul", { class: "help" }, report.notes.map((t) => el("li", {}, t))));
    if (report && report.days_used !== undefined) {
      parts.push(el("p", { class: "help" }, "Days used: " + report.days_used + (report.model ? "; model: " + report.model : "") + "."));
    }
    $("triggers").replaceChildren(...(parts.length ? parts : [el("p", {}, "Nothing to analyse yet.")]));
  }

  function drawCycles(cycles) {
    if (!cycles.length) {
      $("cycles").replaceChildren(el("p", {}, "No botulinum toxin injections recorded yet."));
      return;
    }
    const rate = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(2));
    $("cycles").replaceChildren(el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["Injection", "Side", "Before (per day)", "After (per day)", "Responded", "Wore off", "Next due"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, cycles.map((c) => el("tr", {},
        el("td", {}, c.injection), el("td", {}, c.side || "—"), el("td", {}, rate(c.pre_rate)), el("td", {}, rate(c.post_rate)),
        el("td", {}, c.responded === null || c.responded === undefined ? "—" : c.responded ? "yes" : "no"),
        el("td", {}, c.wear_off || "—"), el("td", {}, c.next_due || "—")))))));
  }

  async function refresh() {
    const show = async (target, path, draw) => {
      try {
        draw(await api("GET", path));
      } catch (error) {
        $(target).replaceChildren(el("p", { class: "error" }, error.message));
      }
    };
    await Promise.all([
      show("history", "/diary/days", (data) => drawHistory(asList(data, "days"))),
      show("triggers", "/diary/triggers", drawTriggers),
      show("cycles", "/diary/cycles", (data) => drawCycles(asList(data, "cycles"))),
    ]);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupChoices();
    $("day-date").value = localDate(new Date());
    $("episode-form").addEventListener("submit", saveEpisode);
    $("day-form").addEventListener("submit", saveDay);
    refresh();
  });
})();
