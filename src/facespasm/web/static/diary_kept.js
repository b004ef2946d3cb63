// Measurements & assessments: open a kept assessment, compare it with an earlier one, delete
// either kind with a confirmation. What is shown is the server's HTML (pages_kept.py);
// this script sends what the person does and swaps the fragments in.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { api } = FS;

  async function html(path) {
    const response = await fetch(path, { headers: { Accept: "text/html" } });
    const text = await response.text();
    if (!response.ok) FS.parse(response.status, text);
    return text;
  }

  function status(text, isError) {
    $("kept-status").textContent = text || "";
    $("kept-status").className = isError ? "error" : "status";
  }

  async function refresh() {
    $("kept-lists").innerHTML = await html("/diary/kept/lists"); // autoescaped, no scripts
  }

  async function open(id, since) {
    let fragment;
    try {
      fragment = await html("/diary/kept/assessments/" + id + (since ? "?since=" + since : ""));
    } catch (error) {
      status(error.message, true);
      return;
    }
    $("opened").innerHTML = fragment;
    FS.show($("opened-card"), true);
    if (since) {
      const changes = $("opened").querySelector(".changes");
      if (changes) { changes.setAttribute("tabindex", "-1"); changes.focus(); }
    } else {
      $("opened-title").focus();
    }
  }

  function confirmDelete(path, what, opener, after) {
    const dialog = $("confirm");
    $("confirm-text").textContent = "Delete " + what + "? This cannot be undone.";
    $("confirm-no").onclick = () => { dialog.close(); opener.focus(); };
    dialog.oncancel = () => setTimeout(() => opener.isConnected && opener.focus());
    $("confirm-yes").onclick = async () => {
      dialog.close();
      try {
        await api("DELETE", path);
      } catch (error) {
        status(error.message, true);
        return;
      }
      await refresh();
      if (after) after();
      status("Deleted.");
      const heading = $("kept-lists").querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    };
    dialog.showModal();
    $("confirm-no").focus(); // the safe choice has the focus
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("kept-lists").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const entry = button.closest("[data-id]");
      const id = entry.dataset.id;
      const action = button.dataset.action;
      if (action === "open") open(id);
      else if (action === "delete-measurement") {
        confirmDelete("/diary/measurements/" + id, "the measurement of " + entry.querySelector("time").textContent, button);
      } else if (action === "delete-assessment") {
        confirmDelete("/diary/assessments/" + id, "the assessment of " + entry.querySelector("time").textContent, button, () => {
          const opened = $("opened").querySelector(".opened");
          if (opened && opened.dataset.id === id) FS.show($("opened-card"), false);
        });
      }
    });
    $("opened").addEventListener("submit", (event) => {
      const form = event.target.closest(".compare-form");
      if (!form) return;
      event.preventDefault();
      open(form.dataset.id, form.querySelector("select").value);
    });
  });
})();
