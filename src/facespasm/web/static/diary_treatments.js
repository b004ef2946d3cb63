// Treatments & cycles: add, edit and delete treatments and report the latest injection's onset
// or wear-off with one tap. Everything shown is the server's HTML (the list and the cycles
// fragments, pages_treatments.py): this script sends what the person does to the JSON API and
// swaps the fragments in; it decides nothing about what the diary shows.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, api } = FS;
  let editing = null; // {id, kind} of the treatment being changed, else null

  async function html(path) {
    const response = await fetch(path, { headers: { Accept: "text/html" } });
    const text = await response.text();
    if (!response.ok) FS.parse(response.status, text);
    return text;
  }

  /** Fetch the list and the cycles again (the server's fragments). */
  async function refresh() {
    const [list, cycles] = await Promise.all([html("/diary/treatments/list"), html("/diary/treatments/cycles")]);
    $("treatments").innerHTML = list; // the server's fragments: autoescaped, no scripts
    $("cycles").innerHTML = cycles;
    const injections = $("cycles").querySelectorAll(".cycle h3 time");
    $("tap-latest").textContent = injections.length ? injections[injections.length - 1].textContent : "none yet";
  }

  function status(id, text, isError) {
    $(id).textContent = text || "";
    $(id).className = isError ? "error" : "status";
  }

  // --- the form ---------------------------------------------------------------------------

  const LABELS = {
    botulinum_toxin: { date: "Date", name: "Product", dose: "Total units (empty: left + right)" },
    medication: { date: "Started", name: "Medicine", dose: "Dose a day (mg)" },
    microvascular_decompression: { date: "Date", name: "Product", dose: "" },
  };

  function showKind() {
    const kind = $("t-kind").value;
    for (const part of document.querySelectorAll("#treatment-form .for-kind")) {
      FS.show(part, part.dataset.kinds.split(" ").includes(kind));
    }
    $("t-date-label").textContent = LABELS[kind].date;
    $("t-name-label").textContent = LABELS[kind].name;
    $("t-dose-label").textContent = LABELS[kind].dose;
  }

  function addSite(site, units) {
    const n = $("t-sites").children.length + 1;
    const row = el("div", { class: "site-row" },
      el("label", { for: "t-site-" + n }, "Site " + n),
      el("input", { type: "text", id: "t-site-" + n, class: "site-name", maxlength: 60, value: site || "", placeholder: "e.g. left upper eyelid" }),
      el("label", { for: "t-site-units-" + n }, "Units"),
      el("input", { type: "number", id: "t-site-units-" + n, class: "site-units", min: 0, step: 0.5, inputmode: "decimal", value: units ?? "" }),
      el("button", { type: "button", class: "link", onclick: () => row.remove() }, "Remove site " + n));
    $("t-sites").append(row);
    return row;
  }

  /** The total follows left + right until the person types a total of their own. */
  function followTotal() {
    if ($("t-dose").dataset.own === "yes" || $("t-kind").value !== "botulinum_toxin") return;
    const left = amount("t-left"), right = amount("t-right");
    $("t-dose").value = left === null && right === null ? "" : String((left || 0) + (right || 0));
  }

  const value = (id) => $(id).value.trim();
  const amount = (id) => (value(id) === "" ? null : Number(value(id)));

  /** The body the form describes (for a change: every field of the kind, null where empty). */
  function body() {
    const kind = $("t-kind").value;
    const out = { date: value("t-date") || null, note: value("t-note") || null };
    if (kind !== "microvascular_decompression") out.name = value("t-name") || null;
    if (kind === "botulinum_toxin") {
      out.units_left = amount("t-left");
      out.units_right = amount("t-right");
      out.dose_units = amount("t-dose");
      if (out.dose_units === null && (out.units_left !== null || out.units_right !== null)) {
        out.dose_units = (out.units_left || 0) + (out.units_right || 0);
      }
      out.side = out.units_left && out.units_right ? "both"
        : out.units_left ? "left" : out.units_right ? "right" : null;
      out.sites = [...$("t-sites").querySelectorAll(".site-row")]
        .map((row) => ({ site: row.querySelector(".site-name").value.trim(), units: Number(row.querySelector(".site-units").value) }))
        .filter((site) => site.site !== "");
    } else if (kind === "medication") {
      out.dose_units = amount("t-dose");
      out.until = value("t-until") || null;
    } else {
      out.side = value("t-side") || null;
    }
    if (!editing) {
      out.kind = kind;
      for (const key of Object.keys(out)) if (out[key] === null) delete out[key];
    }
    return out;
  }

  function resetForm() {
    editing = null;
    $("treatment-form").reset();
    $("t-sites").replaceChildren();
    delete $("t-dose").dataset.own;
    $("t-kind").disabled = false;
    $("t-save").textContent = "Add the treatment";
    $("add-title").textContent = "Add a treatment";
    FS.show($("t-cancel-edit"), false);
    showKind();
  }

  async function save(event) {
    event.preventDefault();
    if (!value("t-date")) {
      status("t-status", "Please give the date.", true);
      $("t-date").focus();
      return;
    }
    status("t-status", "Saving…");
    try {
      if (editing) await api("PATCH", "/diary/treatments/" + editing.id, body());
      else await api("POST", "/diary/treatments", body());
    } catch (error) {
      status("t-status", error.message, true);
      return;
    }
    const done = editing ? "Changed." : "Added.";
    resetForm();
    status("t-status", done);
    await refresh();
  }

  async function startEdit(id) {
    let t;
    try {
      t = await api("GET", "/diary/treatments/" + id);
    } catch (error) {
      status("t-status", error.message, true);
      return;
    }
    resetForm();
    editing = { id, kind: t.kind };
    $("t-kind").value = t.kind;
    $("t-kind").disabled = true; // a treatment keeps its kind: delete it and add another
    showKind();
    $("t-date").value = t.date;
    $("t-name").value = t.name || "";
    $("t-note").value = t.note || "";
    $("t-left").value = t.units_left ?? "";
    $("t-right").value = t.units_right ?? "";
    $("t-dose").value = t.dose_units ?? "";
    $("t-until").value = t.until || "";
    $("t-side").value = t.side || "";
    for (const site of t.sites || []) addSite(site.site, site.units);
    const sum = (t.units_left || 0) + (t.units_right || 0);
    if (t.dose_units !== null && t.dose_units !== sum) $("t-dose").dataset.own = "yes";
    $("t-save").textContent = "Save the change";
    $("add-title").textContent = "Change a treatment";
    FS.show($("t-cancel-edit"), true);
    status("t-status", "");
    $("add-title").focus();
  }

  // --- delete, with a confirmation ----------------------------------------------------------

  function confirmDelete(id, what, opener) {
    const dialog = $("confirm");
    $("confirm-text").textContent = "Delete " + what + "? This cannot be undone.";
    const close = () => { dialog.close(); opener.focus(); };
    $("confirm-no").onclick = close;
    dialog.oncancel = () => setTimeout(() => opener.isConnected && opener.focus());
    $("confirm-yes").onclick = async () => {
      dialog.close();
      try {
        await api("DELETE", "/diary/treatments/" + id);
      } catch (error) {
        status("t-status", error.message, true);
        return;
      }
      if (editing && editing.id === id) resetForm();
      await refresh();
      status("t-status", "Deleted.");
      $("list-title").setAttribute("tabindex", "-1");
      $("list-title").focus();
    };
    dialog.showModal();
    $("confirm-no").focus(); // the safe choice has the focus
  }

  // --- one tap --------------------------------------------------------------------------------

  function tapDate() {
    return value("tap-date") || $("tap").dataset.today;
  }

  function tapLabels() {
    const chosen = tapDate();
    const today = chosen === $("tap").dataset.today;
    const when = today ? "today" : "on " + chosen;
    $("tap-onset").textContent = "It started working " + when;
    $("tap-wore-off").textContent = "It is wearing off " + when;
  }

  async function tap(report) {
    status("tap-status", "Saving…");
    let t;
    try {
      t = await api("POST", "/diary/treatments/latest-injection/" + report, { date: tapDate() });
    } catch (error) {
      status("tap-status", error.message, true);
      return;
    }
    const what = report === "onset" ? "started working" : "wearing off";
    status("tap-status", "Noted: the injection of " + t.date + " " + what + " on " + tapDate() + ".");
    await refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    showKind();
    $("t-kind").addEventListener("change", showKind);
    $("t-left").addEventListener("input", followTotal);
    $("t-right").addEventListener("input", followTotal);
    $("t-dose").addEventListener("input", () => { $("t-dose").dataset.own = $("t-dose").value === "" ? "" : "yes"; });
    $("t-add-site").addEventListener("click", () => addSite().querySelector("input").focus());
    $("treatment-form").addEventListener("submit", save);
    $("t-cancel-edit").addEventListener("click", () => { resetForm(); status("t-status", ""); $("t-kind").focus(); });
    $("treatments").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const entry = button.closest("[data-id]");
      const id = Number(entry.dataset.id);
      if (button.dataset.action === "edit") startEdit(id);
      else confirmDelete(id, "this treatment (" + entry.querySelector("strong").textContent + ", " + entry.querySelector("time").textContent + ")", button);
    });
    $("tap-date").addEventListener("input", tapLabels);
    $("tap-onset").addEventListener("click", () => tap("onset"));
    $("tap-wore-off").addEventListener("click", () => tap("wore-off"));
  });
})();
