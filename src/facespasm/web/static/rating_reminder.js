// facespasm: the diary's "A rating is due" notice, on every diary page (diary_nav.html).
// Shown once the person has started rating and the next rating is due at their interval.
"use strict";

(() => {
  async function show() {
    const notice = document.getElementById("rating-due");
    if (!notice) return;
    try {
      const reminder = await FS.api("GET", "/diary/ratings/reminder");
      if (!reminder.due || reminder.last_rated === null) return;
      notice.replaceChildren(
        reminder.text + ": ",
        FS.el("a", { href: "/diary/ratings" }, "rate now"),
      );
      notice.hidden = false;
    } catch {
      // No notice when the diary cannot be read; the page says what went wrong elsewhere.
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
