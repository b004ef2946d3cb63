// The interview: an optional description in the person's own words, what was understood from it
// (to correct), then one question per screen. The answers and the description live in
// sessionStorage and are sent whole to POST /api/v1/interview at every step, so the server keeps
// no session.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, api, KEYS } = FS;
  const UNDONE_KEY = "facespasm.undone";
  // {text, wrong: [finding ids the person unticked]}, or {skipped: true}; null before the step.
  const DESCRIPTION_KEY = "facespasm.description";
  const TYPICAL_QUESTIONS = 18;
  const TYPICAL_QUESTIONS_TEXT = "15–20 in all";
  let current = null;

  const answers = () => FS.load(KEYS.answers, []);
  const setAnswers = (list) => FS.save(KEYS.answers, list);

  function status(text, isError) {
    const box = $("status");
    box.textContent = text || "";
    box.className = isError ? "error" : "status";
  }

  async function step(finish) {
    status("Loading…");
    try {
      const body = withKnown({ answers: answers() });
      const data = await api("POST", "/interview", body);
      status("");
      if (data.done || finish) await showResult(data.done ? data.result : null);
      else showQuestion(data.question, data.progress);
    } catch (error) {
      status(error.message, true);
    }
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

  async function showResult(result) {
    if (!result) {
      // Finished early: the assessment of everything known, answers plus the video's evidence.
      const given = {};
      for (const [finding, value] of answers()) given[finding] = value;
      result = await api("POST", "/assess", withKnown({ answers: given }));
    }
    showOnly("result-view");
    FS.Result.render($("result"), result);
    $("result-title").focus();
  }

  function showQuestion(question, progress) {
    current = question;
    showOnly("question-view");
    // `progress` counts the answers given; an interview usually takes 15-20, so the bar is an
    // estimate that never reaches the end before the result does.
    const bar = $("progress");
    const given = typeof progress === "number" ? progress : answers().length;
    bar.value = Math.min(0.95, given / TYPICAL_QUESTIONS);
    bar.textContent = given + " answered";
    $("question-number").textContent = "Question " + question.number + " · usually " + TYPICAL_QUESTIONS_TEXT;
    FS.show($("red-flag"), Boolean(question.red_flag));
    $("question-text").textContent = question.question;
    $("question-help").textContent = question.help || "";
    $("back").disabled = answers().length === 0;
    const undone = FS.load(UNDONE_KEY, {});
    const previous = question.previous ?? (question.id in undone ? undone[question.id] : undefined);
    const controls = $("answer-controls");
    controls.dataset.type = question.type;
    controls.dataset.finding = question.id;
    controls.replaceChildren(controlsFor(question, previous));
    $("question-text").focus();
  }

  function answerButton(label, value, previous) {
    const isPrevious = previous !== undefined && JSON.stringify(previous) === JSON.stringify(value);
    return el("button", {
      type: "button",
      class: isPrevious ? "previous" : null,
      "aria-describedby": isPrevious ? "previous-hint" : null,
      onclick: () => answer(value),
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
        answer(values);
      };
      return el("div", {}, form, el("div", { class: "answers" }, go, dontKnow));
    }
    // number
    const unit = q.unit ? " (" + q.unit + ")" : "";
    const input = el("input", {
      type: "number", id: "number-answer", name: "number", inputmode: "decimal", step: "any",
      min: q.minimum ?? null, max: q.maximum ?? null, value: typeof previous === "number" ? previous : null,
      required: true,
    });
    const error = el("p", { class: "error", id: "number-error", hidden: true, role: "alert" });
    $("answer-form").onsubmit = (event) => {
      event.preventDefault();
      const value = input.valueAsNumber;
      const low = q.minimum ?? -Infinity;
      const high = q.maximum ?? Infinity;
      if (!Number.isFinite(value) || value < low || value > high) {
        error.textContent = "Please give a number" +
          (Number.isFinite(low) && Number.isFinite(high) ? " from " + low + " to " + high : "") + unit + ".";
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      answer(value);
    };
    return el("div", {},
      el("label", { for: "number-answer" }, "Your answer" + unit), input, error,
      el("div", { class: "answers" }, el("button", { type: "submit" }, "Continue"), dontKnow));
  }

  function answer(value) {
    if (!current) return;
    const list = answers().filter(([finding]) => finding !== current.id);
    list.push([current.id, value]);
    setAnswers(list);
    const undone = FS.load(UNDONE_KEY, {});
    delete undone[current.id];
    FS.save(UNDONE_KEY, undone);
    $("answer-form").onsubmit = (event) => event.preventDefault();
    step(false);
  }

  function back() {
    const list = answers();
    const last = list.pop();
    if (!last) return;
    const undone = FS.load(UNDONE_KEY, {});
    undone[last[0]] = last[1];
    FS.save(UNDONE_KEY, undone);
    setAnswers(list);
    step(false);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("answer-form").onsubmit = (event) => event.preventDefault();
    $("back").addEventListener("click", back);
    $("change").addEventListener("click", back);
    $("finish").addEventListener("click", () => step(true));
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
