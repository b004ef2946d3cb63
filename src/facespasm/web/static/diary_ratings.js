// facespasm: the ratings page -- send a scale's answers or the reminder interval to the API.
// The page itself (scores, changes, chart) is rendered by the server; after saving a rating
// the page comes back with `?saved=ID`, which shows that rating's score and change.
"use strict";

(() => {
  function answersOf(form) {
    const answers = {};
    for (const input of form.querySelectorAll('input[type="radio"]:checked')) {
      if (input.value !== "") answers[input.name] = Number(input.value);
    }
    return answers;
  }

  async function saveRating(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const status = form.querySelector(".rating-status");
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    status.textContent = "Saving…";
    try {
      const saved = await FS.api("POST", "/diary/ratings", {
        scale: form.dataset.scale,
        date: form.querySelector('input[name="date"]').value,
        answers: answersOf(form),
      });
      window.location.assign("/diary/ratings?saved=" + saved.id + "#saved");
    } catch (error) {
      status.textContent = "Not saved: " + error.message;
      button.disabled = false;
    }
  }

  async function saveReminder(event) {
    event.preventDefault();
    const status = document.getElementById("reminder-status");
    const days = Number(document.getElementById("rating-every").value);
    try {
      const reminder = await FS.api("PUT", "/diary/ratings/reminder", { interval_days: days });
      status.textContent = "Saved: a rating every " + reminder.interval_days + " days.";
      document.getElementById("reminder-state").textContent = reminder.due
        ? reminder.text + "."
        : "Next rating due " + reminder.next_rating + ".";
    } catch (error) {
      status.textContent = "Not saved: " + error.message;
    }
  }

  function start() {
    for (const form of document.querySelectorAll(".rating-form")) {
      form.addEventListener("submit", saveRating);
    }
    document.getElementById("reminder-form").addEventListener("submit", saveReminder);
    const saved = document.getElementById("saved");
    if (saved) saved.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
