// The diary's main page: log an episode (strength 0-10), record a day, list recent episodes and
// days (paged, newest first) to edit or delete (with a confirmation dialog), import and export
// CSV, switch the history chart's range (the chart itself is drawn by the server:
// /diary/history), and show the trigger analysis from the diary API.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, api } = FS;
  const PAGE = 10;
  const FACTORS = ["sleep_hours", "caffeine_drinks", "alcohol_drinks", "stress_0_10", "screen_hours"];
  const SIDES = ["left", "right", "both"];
  const REGIONS = ["eyelid", "brow", "cheek", "mouth", "neck"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const pad = (n) => String(n).padStart(2, "0");
  const localDate = (d) => d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  const localTime = (d) => localDate(d) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  const dayText = (iso) => {
    const [y, m, d] = String(iso).split("-").map(Number);
    return d + " " + MONTHS[m - 1] + " " + y;
  };
  const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
  const state = { range: "30d", episodes: 0, days: 0, typed: new Set(), dayShown: null };

  // --- one tap choices -------------------------------------------------------------------
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

  // --- a confirmation dialog (the native modal <dialog>: focus stays in it, Escape cancels) --
  function confirmStep(text) {
    const dialog = $("confirm-dialog");
    const opener = document.activeElement;
    $("confirm-text").textContent = text;
    return new Promise((resolve) => {
      const finish = (answer) => {
        $("confirm-yes").removeEventListener("click", yes);
        $("confirm-no").removeEventListener("click", no);
        dialog.removeEventListener("cancel", no);
        if (dialog.open) dialog.close();
        if (opener && opener.isConnected) opener.focus();
        resolve(answer);
      };
      const yes = () => finish(true);
      const no = (event) => { if (event) event.preventDefault(); finish(false); };
      $("confirm-yes").addEventListener("click", yes);
      $("confirm-no").addEventListener("click", no);
      dialog.addEventListener("cancel", no);
      dialog.showModal();
      $("confirm-no").focus();
    });
  }

  // --- logging -------------------------------------------------------------------------------
  async function saveEpisode(event) {
    event.preventDefault();
    const side = chosen("side")[0];
    const regions = chosen("regions");
    const out = $("episode-status");
    if (!side || !regions.length) {
      out.textContent = "Choose a side and at least one place first.";
      return;
    }
    const body = { side, regions, timezone: zone() };
    const severity = $("severity").value;
    if (severity !== "") body.severity = Number(severity);
    if ($("episode-at").value) body.at = $("episode-at").value;
    if ($("episode-note").value.trim()) body.note = $("episode-note").value.trim();
    try {
      await api("POST", "/diary/episodes", body);
      const when = body.at ? body.at.replace("T", " ") : new Date().toLocaleTimeString();
      out.textContent = "Saved: " + side + " " + regions.join(", ")
        + (severity !== "" ? ", strength " + severity + " of 10" : "") + " at " + when + ".";
      document.querySelectorAll("#episode-form .choice").forEach((b) => b.setAttribute("aria-pressed", "false"));
      for (const id of ["severity", "episode-at", "episode-note"]) $(id).value = "";
      state.episodes = 0;
      refresh();
    } catch (error) {
      out.textContent = "Not saved: " + error.message;
    }
  }

  // The day form shows the chosen date as stored; what the person typed meanwhile is kept.
  function fillDay(day, { keepTyped = false } = {}) {
    for (const name of FACTORS) {
      if (keepTyped && state.typed.has(name)) continue;
      $(name).value = day && day[name] !== null && day[name] !== undefined ? day[name] : "";
    }
    if (!(keepTyped && state.typed.has("nicotine"))) {
      $("nicotine").value = day && typeof day.nicotine === "boolean" ? String(day.nicotine) : "";
    }
    if (!keepTyped) state.typed.clear();
  }

  async function loadDay(date) {
    let day = null;
    try {
      day = await api("GET", "/diary/days/" + date);
    } catch {
      day = null; // nothing recorded on that date yet
    }
    if ($("day-date").value === date) fillDay(day, { keepTyped: true });
  }

  function dateChosen() {
    const date = $("day-date").value;
    if (!date || date === state.dayShown) return;
    state.dayShown = date;
    state.typed.clear();
    fillDay(null);
    loadDay(date);
  }

  async function saveDay(event) {
    event.preventDefault();
    // The form shows the day as stored, so it is sent whole: an emptied field is cleared.
    const body = {};
    for (const name of FACTORS) body[name] = $(name).value === "" ? null : Number($(name).value);
    body.nicotine = $("nicotine").value ? $("nicotine").value === "true" : null;
    const date = $("day-date").value || localDate(new Date());
    try {
      await api("PUT", "/diary/days/" + date, body);
      $("day-status").textContent = "Saved " + dayText(date) + ".";
      state.typed.clear();
      state.days = 0;
      refresh();
    } catch (error) {
      $("day-status").textContent = "Not saved: " + error.message;
    }
  }

  // --- recent episodes -------------------------------------------------------------------------
  function episodeText(e) {
    const at = new Date(e.occurred_at);
    const parts = [dayText(e.local_date) + ", " + pad(at.getHours()) + ":" + pad(at.getMinutes()),
      capital(e.side) + ": " + e.regions.join(", ")];
    if (e.severity !== null && e.severity !== undefined) parts.push("strength " + e.severity + " of 10");
    if (e.note) parts.push(e.note);
    return parts.join(" · ");
  }

  async function showEpisodes() {
    const list = $("episodes-list");
    let found;
    try {
      found = await api("GET", "/diary/episodes?limit=" + (PAGE + 1) + "&offset=" + state.episodes);
    } catch (error) {
      list.replaceChildren(el("p", { class: "error" }, error.message));
      return;
    }
    const shown = found.slice(0, PAGE);
    $("episodes-older").hidden = found.length <= PAGE;
    $("episodes-newer").hidden = state.episodes === 0;
    if (!shown.length) {
      list.replaceChildren(el("p", {}, state.episodes ? "No older episodes." : "No episodes logged yet."));
      return;
    }
    list.replaceChildren(el("ul", { class: "entry-list" }, shown.map((e) => episodeItem(e))));
  }

  function episodeItem(e) {
    const text = episodeText(e);
    const item = el("li", { class: "entry", "data-id": e.id });
    const what = " episode of " + text.split(" · ")[0];
    item.append(
      el("span", { class: "entry-text" }, text),
      el("span", { class: "entry-actions" },
        el("button", { type: "button", class: "secondary small-button", onclick: () => editEpisode(item, e) },
          "Edit", el("span", { class: "visually-hidden" }, what)),
        el("button", { type: "button", class: "secondary small-button", onclick: () => deleteEpisode(e, text) },
          "Delete", el("span", { class: "visually-hidden" }, what))));
    return item;
  }

  function editEpisode(item, e) {
    const key = "edit-" + e.id;
    const at = localTime(new Date(e.occurred_at));
    const severity = el("select", { id: key + "-severity" }, el("option", { value: "" }, "Not said"),
      Array.from({ length: 11 }, (_, v) => el("option", { value: v, selected: e.severity === v }, String(v))));
    const form = el("form", { class: "entry-edit", "aria-label": "Edit the episode of " + dayText(e.local_date) },
      el("label", { for: key + "-side" }, "Side"),
      el("select", { id: key + "-side" }, SIDES.map((s) => el("option", { value: s, selected: s === e.side }, capital(s)))),
      el("fieldset", {}, el("legend", {}, "Where"),
        el("div", { class: "checks" }, REGIONS.map((r) => el("label", { class: "check" },
          el("input", { type: "checkbox", name: "regions", value: r, checked: e.regions.includes(r) }), capital(r))))),
      el("label", { for: key + "-severity" }, "Strength (0 barely – 10 the worst)"), severity,
      el("label", { for: key + "-at" }, "When"),
      el("input", { type: "datetime-local", id: key + "-at", value: at }),
      el("label", { for: key + "-note" }, "Note"),
      el("input", { type: "text", id: key + "-note", value: e.note || "", maxlength: 500, autocomplete: "off" }),
      el("div", { class: "actions" },
        el("button", { type: "submit" }, "Save changes"),
        el("button", { type: "button", class: "secondary", onclick: () => showEpisodes() }, "Cancel")),
      el("p", { class: "entry-error", role: "alert" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const regions = [...form.querySelectorAll('input[name="regions"]:checked')].map((c) => c.value);
      const changes = {
        side: $(key + "-side").value,
        regions,
        severity: severity.value === "" ? null : Number(severity.value),
        note: $(key + "-note").value.trim() || null,
      };
      const when = $(key + "-at").value;
      if (when && when !== at) Object.assign(changes, { at: when, timezone: zone() });
      try {
        await api("PATCH", "/diary/episodes/" + e.id, changes);
        $("entries-status").textContent = "Episode changed.";
        refresh();
      } catch (error) {
        form.querySelector(".entry-error").textContent = "Not changed: " + error.message;
      }
    });
    item.replaceChildren(form);
    $(key + "-side").focus();
  }

  async function deleteEpisode(e, text) {
    if (!(await confirmStep("Delete the episode of " + text + "? This cannot be undone."))) return;
    try {
      await api("DELETE", "/diary/episodes/" + e.id);
      $("entries-status").textContent = "Episode deleted.";
      refresh();
    } catch (error) {
      $("entries-status").textContent = "Not deleted: " + error.message;
    }
  }

  // --- recent days -----------------------------------------------------------------------------
  function dayDetails(d) {
    const parts = [];
    if (d.episodes !== null && d.episodes !== undefined) parts.push(plural(d.episodes, "episode"));
    if (d.sleep_hours !== null) parts.push("slept " + d.sleep_hours + " h");
    if (d.caffeine_drinks !== null) parts.push(plural(d.caffeine_drinks, "caffeinated drink"));
    if (d.alcohol_drinks !== null) parts.push(plural(d.alcohol_drinks, "alcoholic drink"));
    if (d.stress_0_10 !== null) parts.push("stress " + d.stress_0_10 + " of 10");
    if (d.screen_hours !== null) parts.push(d.screen_hours + " h on screens");
    if (d.nicotine !== null) parts.push(d.nicotine ? "nicotine" : "no nicotine");
    if (d.note) parts.push(d.note);
    return dayText(d.date) + ": " + (parts.length ? parts.join(", ") : "nothing recorded");
  }

  async function showDays() {
    const list = $("days-list");
    let found;
    try {
      found = await api("GET", "/diary/days?limit=" + (PAGE + 1) + "&offset=" + state.days);
    } catch (error) {
      list.replaceChildren(el("p", { class: "error" }, error.message));
      return;
    }
    const shown = found.slice(0, PAGE);
    $("days-older").hidden = found.length <= PAGE;
    $("days-newer").hidden = state.days === 0;
    if (!shown.length) {
      list.replaceChildren(el("p", {}, state.days ? "No older days." : "No days recorded yet."));
      return;
    }
    list.replaceChildren(el("ul", { class: "entry-list" }, shown.map((d) => {
      const what = " day " + dayText(d.date);
      return el("li", { class: "entry", "data-date": d.date },
        el("span", { class: "entry-text" }, dayDetails(d)),
        el("span", { class: "entry-actions" },
          el("button", { type: "button", class: "secondary small-button", onclick: () => editDay(d) },
            "Edit", el("span", { class: "visually-hidden" }, what)),
          el("button", { type: "button", class: "secondary small-button", onclick: () => deleteDay(d) },
            "Delete", el("span", { class: "visually-hidden" }, what))));
    })));
  }

  function editDay(d) {
    $("day-date").value = d.date;
    state.dayShown = d.date;
    fillDay(d);
    $("day-status").textContent = "Editing " + dayText(d.date) + ": change the values and save the day.";
    $("day-title").scrollIntoView({ block: "start" });
    $("sleep_hours").focus();
  }

  async function deleteDay(d) {
    const text = "Delete what was recorded for " + dayText(d.date)
      + " (its factors and counted episodes)? Episodes logged one by one stay. This cannot be undone.";
    if (!(await confirmStep(text))) return;
    try {
      await api("DELETE", "/diary/days/" + d.date);
      $("entries-status").textContent = "Day " + dayText(d.date) + " deleted.";
      refresh();
    } catch (error) {
      $("entries-status").textContent = "Not deleted: " + error.message;
    }
  }

  // --- import ------------------------------------------------------------------------------------
  async function importFile(event) {
    event.preventDefault();
    const file = $("import-file").files[0];
    const status = $("import-status");
    const problem = $("import-error");
    problem.hidden = true;
    problem.textContent = "";
    if (!file) {
      status.textContent = "Choose a CSV file first.";
      return;
    }
    const form = new FormData();
    form.append("file", file, file.name);
    status.textContent = "Importing…";
    try {
      const done = await api("POST", "/diary/import", form);
      status.textContent = "Imported " + plural(done.imported, "day") + " from " + file.name + ".";
      $("import-file").value = "";
      state.days = 0;
      refresh();
    } catch (error) {
      status.textContent = "";
      problem.textContent = "Nothing was imported: " + error.message;
      problem.hidden = false;
    }
  }

  // --- the history chart (drawn by the server) ------------------------------------------------
  // Only the newest request draws: a refresh after an import may still be on its way when the
  // person picks another range, and its older chart must not replace the one they chose.
  let historyShown = 0;
  async function showHistory(focus) {
    const target = $("history");
    const mine = ++historyShown;
    try {
      const response = await fetch("/diary/history?range=" + encodeURIComponent(state.range),
        { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error("The server answered " + response.status + ".");
      const chart = await response.text();
      if (mine !== historyShown) return;
      target.innerHTML = chart;
      if (focus) {
        const link = target.querySelector('.range-link[data-range="' + state.range + '"]');
        if (link) link.focus();
      }
    } catch (error) {
      if (mine !== historyShown) return;
      target.replaceChildren(el("p", { class: "error" }, "The history could not be shown: " + error.message));
    }
  }

  function chooseRange(event) {
    const link = event.target.closest("a.range-link");
    if (!link) return;
    event.preventDefault();
    state.range = link.dataset.range;
    history.replaceState(null, "", "?range=" + state.range);
    showHistory(true);
  }

  // --- triggers ----------------------------------------------------------------------------------
  function drawTriggers(report) {
    const factors = (report && report.factors) || [];
    const parts = [];
    if (factors.length) {
      parts.push(el("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Factors and their effect" }, el("table", {},
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

  async function showTriggers() {
    try {
      drawTriggers(await api("GET", "/diary/triggers"));
    } catch (error) {
      $("triggers").replaceChildren(el("p", { class: "error" }, error.message));
    }
  }

  function refresh() {
    return Promise.all([showHistory(false), showEpisodes(), showDays(), showTriggers()]);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupChoices();
    const params = new URLSearchParams(location.search);
    if (["30d", "6m", "all"].includes(params.get("range"))) state.range = params.get("range");
    const today = localDate(new Date());
    $("day-date").value = today;
    $("episode-form").addEventListener("submit", saveEpisode);
    $("day-form").addEventListener("submit", saveDay);
    const typed = (event) => { if (event.target.id !== "day-date") state.typed.add(event.target.id); };
    $("day-form").addEventListener("input", typed);
    $("day-form").addEventListener("change", typed);
    $("day-date").addEventListener("input", dateChosen);
    $("day-date").addEventListener("change", dateChosen);
    $("import-form").addEventListener("submit", importFile);
    $("history").addEventListener("click", chooseRange);
    const page = (key, step, show) => () => { state[key] = Math.max(0, state[key] + step); show(); };
    $("episodes-older").addEventListener("click", page("episodes", PAGE, showEpisodes));
    $("episodes-newer").addEventListener("click", page("episodes", -PAGE, showEpisodes));
    $("days-older").addEventListener("click", page("days", PAGE, showDays));
    $("days-newer").addEventListener("click", page("days", -PAGE, showDays));
    state.dayShown = today;
    loadDay(today);
    // The chart came with the page; the lists and triggers are fetched.
    Promise.all([showEpisodes(), showDays(), showTriggers()]);
  });
})();
