// The interview: an optional description in the person's own words, what was understood from it
// (to correct), then one question per screen, then the result. The answers and the description
// live in sessionStorage and are sent whole at every step, so the server keeps no session.
// The result is the server's HTML fragment (POST /result): this script inserts it and sends the
// answers given to the safety questions it asks; it decides nothing about what is shown.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, api, KEYS } = FS;
  const UNDONE_KEY = "facespasm.undone";
  // {text, wrong: [finding ids the person unticked]}, or {skipped: true}; null before the step.
  const DESCRIPTION_KEY = "facespasm.description";
  let current = null;

  const answers = () => FS.load(KEYS.answers, []);
  const setAnswers = (list) => FS.save(KEYS.answers, list);

  function status(text, isError) {
    const box = $("status");
    box.textContent = text || "";
    box.className = isError ? "error" : "status";
  }

  /** Ask the server for the next step with `list` as the answers (default: those kept). They
   *  are kept only if it accepts them, so an answer it refuses ("soon" for how long) is never
   *  stored. Resolves to the server's message when it refuses, else null. */
  async function ask(finish, list) {
    const given = list || answers();
    status("Loading…");
    let data;
    try {
      data = await api("POST", "/interview", withKnown({ answers: given }));
    } catch (error) {
      status("");
      return error.message;
    }
    status("");
    setAnswers(given);
    if (data.done || finish) await showResult();
    else showQuestion(data.question);
    return null;
  }

  /** `ask`, showing a refusal in the status line. */
  async function step(finish, list) {
    const problem = await ask(finish, list);
    if (problem) status(problem, true);
  }

  /** The request body plus what is already known: the description and the video's evidence. */
  function withKnown(body) {
    const described = FS.load(DESCRIPTION_KEY, null);
    if (described && described.text) {
      body.text = described.text;
      body.wrong = described.wrong || [];
    }
    const video = FS.load(KEYS.video, null);
    if (video) body.video_evidence = video; // known evidence: not asked again
    return body;
  }

  function showOnly(view) {
    for (const id of ["describe-view", "understood-view", "question-view", "result-view"]) {
      FS.show($(id), id === view);
    }
  }

  function showDescribe() {
    const described = FS.load(DESCRIPTION_KEY, null);
    $("description").value = (described && described.text) || "";
    showOnly("describe-view");
    $("describe-title").focus();
  }

  async function readDescription() {
    const text = $("description").value.trim();
    if (!text) {
      status("Please write a few words, or choose “Skip: just ask me”.", true);
      $("description").focus();
      return;
    }
    status("Reading…");
    try {
      const reading = await api("POST", "/read", { text });
      status("");
      showUnderstood(text, reading);
    } catch (error) {
      status(error.message, true);
    }
  }

  function showUnderstood(text, reading) {
    const items = reading.understood.map((item, i) => el("label", { class: "check understood", for: "understood-" + i },
      el("input", { type: "checkbox", id: "understood-" + i, value: item.finding, checked: true }),
      el("span", {}, item.text, " ", el("span", { class: "help" }, "— from “" + item.quote + "”",
        item.hedged ? " (you weren't sure)" : ""))));
    $("understood-list").replaceChildren(items.length ? el("div", {}, items)
      : el("p", {}, "I could not find anything I know how to use in it; I will ask instead."));
    $("to-ask-list").replaceChildren(...reading.to_ask.map((item) =>
      el("li", { "data-finding": item.finding }, item.question, " ",
        el("span", { class: "help" }, "— you wrote “" + item.quote + "”"))));
    FS.show($("to-ask"), reading.to_ask.length > 0);
    $("confirm-understood").onclick = () => {
      const wrong = [...$("understood-list").querySelectorAll("input:not(:checked)")].map((box) => box.value);
      FS.save(DESCRIPTION_KEY, { text, wrong });
      step(false);
    };
    showOnly("understood-view");
    $("understood-title").focus();
  }

  /** The assessment of everything known -- answers, description, video -- as the server's
   *  report fragment. Returns whether it was shown. */
  async function showResult() {
    const given = {};
    for (const [finding, value] of answers()) given[finding] = value;
    status("Loading…");
    let html;
    try {
      html = await FS.fragment("/result", withKnown({ answers: given }));
    } catch (error) {
      status(error.message, true);
      return false;
    }
    status("");
    showOnly("result-view");
    $("result").innerHTML = html; // the server's fragment: autoescaped, no scripts
    resetKeep();
    const title = $("result-title");
    title.scrollIntoView({ block: "start" });
    title.focus({ preventScroll: true });
    return true;
  }

  /** An answer given on the result page to a safety question still open: added to the
   *  answers, and the result fetched again. */
  async function answerInPlace(button) {
    const form = button.closest("[data-finding]");
    if (!form) return;
    const finding = form.dataset.finding;
    const list = answers().filter(([f]) => f !== finding);
    list.push([finding, JSON.parse(button.dataset.answer)]);
    setAnswers(list);
    if (!(await showResult())) return;
    status("Thank you: your result has been updated.");
    const next = $("result").querySelector(".pending-question button");
    if (next) next.focus();
  }

  /** "Keep this assessment": opt-in, the case as shown is assessed again and kept in the
   *  diary (POST /diary/assessments); a result that changes can be kept again. */
  function addKeep() {
    const actions = $("result-view").querySelector(".actions");
    actions.prepend(el("button", { type: "button", id: "keep-assessment", onclick: keep }, "Keep this assessment"));
    actions.after(el("p", { id: "keep-status", role: "status", "aria-live": "polite" }));
  }

  function resetKeep() {
    $("keep-assessment").disabled = false;
    $("keep-status").textContent = "";
  }

  async function keep() {
    const given = {};
    for (const [finding, value] of answers()) given[finding] = value;
    const body = withKnown({ answers: given });
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    $("keep-status").textContent = "Keeping…";
    let kept;
    try {
      kept = await api("POST", "/diary/assessments", zone ? { ...body, timezone: zone } : body);
    } catch (error) {
      try { // a zone this server does not know: file it under UTC rather than not at all
        kept = await api("POST", "/diary/assessments", body);
      } catch (again) {
        $("keep-status").textContent = again.message;
        return;
      }
    }
    $("keep-assessment").disabled = true;
    $("keep-status").replaceChildren("Kept in your diary (" + kept.local_date + "). ",
      el("a", { href: "/diary/kept" }, "See your kept assessments"));
  }

  /** "Save a PDF for my doctor" and "Export for my clinic's system (FHIR)" (share.js): the
   *  case as shown, made into a file by the server. */
  function addShare() {
    $("result-view").append(SHARE.block("result-share", () => {
      const given = {};
      for (const [finding, value] of answers()) given[finding] = value;
      return withKnown({ answers: given });
    }));
  }

  function showQuestion(question) {
    current = question;
    showOnly("question-view");
    $("question-number").textContent = "Question " + question.number;
    FS.show($("red-flag"), Boolean(question.red_flag));
    $("question-text").textContent = question.question;
    $("question-help").textContent = question.help || "";
    $("back").disabled = answers().length === 0;
    const undone = FS.load(UNDONE_KEY, {});
    const previous = question.previous ?? (question.id in undone ? undone[question.id] : undefined);
    const controls = $("answer-controls");
    controls.dataset.type = question.type;
    controls.dataset.finding = question.id;
    $("answer-form").onsubmit = (event) => event.preventDefault();
    controls.replaceChildren(controlsFor(question, previous));
    $("question-text").focus();
  }

  function answerButton(label, value, previous) {
    const isPrevious = previous !== undefined && JSON.stringify(previous) === JSON.stringify(value);
    return el("button", {
      type: "button",
      class: isPrevious ? "previous" : null,
      "aria-describedby": isPrevious ? "previous-hint" : null,
      onclick: () => answerNow(value),
    }, label);
  }

  function controlsFor(q, previous) {
    const hint = previous !== undefined
      ? el("p", { id: "previous-hint", class: "help" }, "Outlined: your earlier answer.")
      : null;
    const dontKnow = answerButton("Don't know", null, previous);
    if (q.type === "boolean") {
      return el("div", {}, el("div", { class: "answers" },
        answerButton("Yes", true, previous), answerButton("No", false, previous), dontKnow), hint);
    }
    if (q.type === "choice") {
      return el("div", {}, el("div", { class: "answers" },
        q.choices.map((c) => answerButton(c.label, c.value, previous)), dontKnow), hint);
    }
    if (q.type === "multiple_choice") {
      const chosen = Array.isArray(previous) ? previous : [];
      const boxes = q.choices.map((c, i) => el("label", { class: "check", for: "choice-" + i },
        el("input", { type: "checkbox", id: "choice-" + i, value: c.value, checked: chosen.includes(c.value) }),
        c.label));
      const go = el("button", { type: "submit" }, "Continue");
      const form = el("fieldset", {}, el("legend", { class: "visually-hidden" }, "Choose all that apply"), boxes);
      $("answer-form").onsubmit = (event) => {
        event.preventDefault();
        const values = [...form.querySelectorAll("input:checked")].map((box) => box.value);
        answerNow(values);
      };
      return el("div", {}, form, el("div", { class: "answers" }, go, dontKnow));
    }
    // A number: the text as typed ("3 weeks", "2 years", "10") goes to the server, which reads
    // it by the same rule as the terminal and explains what it cannot read.
    const days = q.unit === "days";
    const input = el("input", {
      type: "text", id: "number-answer", name: "number", autocomplete: "off",
      inputmode: days ? "text" : "decimal", value: previous === undefined || previous === null ? null : String(previous),
      required: true, "aria-describedby": "number-hint number-error",
    });
    const error = el("p", { class: "error", id: "number-error", hidden: true, role: "alert" });
    $("answer-form").onsubmit = async (event) => {
      event.preventDefault();
      const typed = input.value.trim();
      if (!typed) {
        input.focus();
        return;
      }
      const problem = await answer(typed);
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    };
    return el("div", {},
      el("label", { for: "number-answer" }, "Your answer" + (q.unit ? " (" + q.unit + ")" : "")),
      el("p", { class: "help", id: "number-hint" }, days ? "For example 10 (days), 3 weeks or 2 years." : "A number."),
      input, error,
      el("div", { class: "answers" }, el("button", { type: "submit" }, "Continue"), dontKnow));
  }

  /** Answer the current question; resolves to the server's message when it refuses the
   *  answer (the answers stay as they were), or null. */
  async function answer(value) {
    if (!current) return null;
    const finding = current.id;
    const list = answers().filter(([f]) => f !== finding);
    list.push([finding, value]);
    const problem = await ask(false, list);
    if (problem) return problem;
    const undone = FS.load(UNDONE_KEY, {});
    delete undone[finding];
    FS.save(UNDONE_KEY, undone);
    return null;
  }

  /** Answer with a button: a refusal goes to the status line. */
  async function answerNow(value) {
    const problem = await answer(value);
    if (problem) status(problem, true);
  }

  function back() {
    const list = answers();
    const last = list.pop();
    if (!last) return;
    const undone = FS.load(UNDONE_KEY, {});
    undone[last[0]] = last[1];
    FS.save(UNDONE_KEY, undone);
    step(false, list);
  }

  document.addEventListener("DOMContentLoaded", () => {
    addKeep();
    addShare();
    $("answer-form").onsubmit = (event) => event.preventDefault();
    $("back").addEventListener("click", back);
    $("change").addEventListener("click", back);
    $("finish").addEventListener("click", () => step(true));
    $("result").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-answer]");
      if (button) answerInPlace(button);
    });
    $("restart").addEventListener("click", () => {
      setAnswers([]);
      FS.save(UNDONE_KEY, null);
      FS.save(DESCRIPTION_KEY, null);
      showDescribe();
    });
    $("describe-form").addEventListener("submit", (event) => {
      event.preventDefault();
      readDescription();
    });
    $("skip-description").addEventListener("click", () => {
      FS.save(DESCRIPTION_KEY, { skipped: true });
      step(false);
    });
    $("edit-description").addEventListener("click", showDescribe);
    const hasVideo = FS.load(KEYS.video, null) !== null;
    FS.show($("video-note"), hasVideo);
    $("forget-video").addEventListener("click", () => {
      FS.save(KEYS.video, null);
      FS.show($("video-note"), false);
    });
    // A new interview opens with the description; one under way carries on where it was.
    if (FS.load(DESCRIPTION_KEY, null) === null && answers().length === 0) showDescribe();
    else step(false);
  });
})();
