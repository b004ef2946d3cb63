// Sharing with the doctor: "Save a PDF for my doctor" and "Export for my clinic's system (FHIR)".
// The case is sent as JSON to POST /api/v1/report or /api/v1/fhir (the body of /assess, plus the
// diary flag and a name if typed); the answer -- an attachment named with its date -- is saved
// as a download through a temporary link. The server makes both files; this script only asks.
// Used by the interview's result (interview.js builds the block with `SHARE.block`) and by the
// diary page, whose block is in its template (`[data-share-block]`, wired here).
"use strict";

const SHARE = (() => {
  const { el } = FS;
  const KINDS = {
    pdf: { path: "/api/v1/report", accept: "application/pdf", fallback: "facespasm-report.pdf",
      making: "Making your PDF…" },
    fhir: { path: "/api/v1/fhir", accept: "application/fhir+json", fallback: "facespasm.fhir.json",
      making: "Making the export…" },
  };

  function filename(response, fallback) {
    const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : fallback;
  }

  /** Ask for the file of `kind` ("pdf" or "fhir") for `body` and save it; say so in `status`.
   *  Resolves to whether it was saved. */
  async function download(kind, body, status) {
    const how = KINDS[kind];
    status.textContent = how.making;
    let response;
    try {
      response = await fetch(how.path, {
        method: "POST",
        headers: { Accept: how.accept + ", application/json", "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      status.textContent = "facespasm could not be reached; please try again.";
      return false;
    }
    if (!response.ok) {
      try {
        FS.parse(response.status, await response.text());
      } catch (error) {
        status.textContent = error.message;
      }
      return false;
    }
    const name = filename(response, how.fallback);
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = "Saved " + name + " (in your downloads).";
    return true;
  }

  /** A case the server refused with nothing but the diary: the interview comes first. */
  function interviewFirst(status) {
    status.replaceChildren("Your diary alone does not say enough for a report yet: it begins ",
      "with your interview's result. ", el("a", { href: "/interview" }, "Answer the interview"),
      ", then come back here in the same tab.");
  }

  /** Wire a share block: its buttons send `bodyOf()` with the name typed in it, if any. */
  function wire(block, bodyOf) {
    const status = block.querySelector("[data-share-status]");
    const nameField = block.querySelector("input[data-share-name]");
    for (const button of block.querySelectorAll("button[data-share]")) {
      button.addEventListener("click", async () => {
        const body = bodyOf();
        const name = nameField ? nameField.value.trim() : "";
        if (name) body.name = name;
        button.disabled = true;
        try {
          const saved = await download(button.dataset.share, body, status);
          const diaryOnly = body.diary && !body.answers && body.text === undefined && !body.video_evidence;
          if (!saved && diaryOnly) interviewFirst(status);
        } finally {
          button.disabled = false;
        }
      });
    }
    return block;
  }

  /** A share block (name field, both buttons, a status line) sending `bodyOf()`; `id` prefixes
   *  its element ids. */
  function block(id, bodyOf) {
    const nameId = id + "-name";
    return wire(el("div", { class: "share", id },
      el("label", { for: nameId }, "Your name on the report (optional)"),
      el("input", { type: "text", id: nameId, "data-share-name": true, maxlength: 100, autocomplete: "name" }),
      el("div", { class: "actions" },
        el("button", { type: "button", "data-share": "pdf" }, "Save a PDF for my doctor"),
        el("button", { type: "button", class: "secondary", "data-share": "fhir" },
          "Export for my clinic's system (FHIR)")),
      el("p", { role: "status", "aria-live": "polite", "data-share-status": true })), bodyOf);
  }

  /** The diary page's request: the diary, and this tab's interview (answers, description,
   *  video evidence) when there is one. */
  function diaryBody() {
    const body = { diary: true };
    const given = {};
    for (const [finding, value] of FS.load(FS.KEYS.answers, [])) given[finding] = value;
    if (Object.keys(given).length) body.answers = given;
    const described = FS.load("facespasm.description", null);
    if (described && described.text) {
      body.text = described.text;
      body.wrong = described.wrong || [];
    }
    const video = FS.load(FS.KEYS.video, null);
    if (video) body.video_evidence = video;
    return body;
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const found of document.querySelectorAll("[data-share-block]")) wire(found, diaryBody);
  });

  return { block, download, wire };
})();
