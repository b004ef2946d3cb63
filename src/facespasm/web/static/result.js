// Renders an assessment (the JSON of POST /api/v1/assess or a finished interview).
"use strict";

FS.Result = (() => {
  const { el, percent } = FS;

  function render(target, result) {
    const numbers = new Map((result.sources || []).map((s, i) => [s.id, i + 1]));
    const refs = (ids) => (ids || []).filter((id) => numbers.has(id)).map((id) =>
      el("sup", { class: "ref" }, el("a", { href: "#source-" + numbers.get(id), "aria-label": "source " + numbers.get(id) },
        "[" + numbers.get(id) + "]")));

    const triage = result.triage || {};
    const banner = el("section", { class: "banner level-" + triage.level, "aria-labelledby": "care-level" },
      el("h3", { id: "care-level" }, triage.label || FS.humanise(triage.level || "")),
      el("p", {}, triage.summary || ""),
      list("Why", (triage.reasons || []).map((r) => [r.text, refs(r.sources)])),
      list("What to do next", (triage.next_steps || []).map((s) => [s])),
      (triage.unanswered_red_flags || []).length
        ? el("p", {}, "Safety questions not answered: " + triage.unanswered_red_flags.map(FS.humanise).join(", ") + ".")
        : null);

    const causes = el("section", { "aria-labelledby": "causes-title" },
      el("h3", { id: "causes-title" }, "Likely causes"),
      (result.conditions || []).map((c, i) => cause(c, refs, i === 0)));

    const treatments = (result.treatments || []).length ? el("section", { "aria-labelledby": "treat-title" },
      el("h3", { id: "treat-title" }, "Treatments a doctor may discuss"),
      result.treatments.map((t) => el("div", { class: "cause" },
        el("h4", {}, t.name, " ", el("span", { class: "lr" }, "for " + FS.humanise(t.cause))),
        el("p", {}, t.summary, refs(t.sources)),
        list(null, (t.figures || []).map((f) => [f.text, refs(f.sources)]))))) : null;

    const advice = (result.advice || []).length ? el("section", { "aria-labelledby": "advice-title" },
      el("h3", { id: "advice-title" }, "What you can do yourself"),
      el("p", { class: "help" }, "★ marks what matches your answers."),
      el("ul", {}, result.advice.map((a) => el("li", { class: a.relevant ? "relevant" : null },
        a.relevant ? "★ " : "", a.title, ": ", el("span", { style: "font-weight:400" }, a.text), refs(a.sources))))) : null;

    const used = usedEvidence(result.evidence || {});

    const sources = el("section", { "aria-labelledby": "sources-title" },
      el("h3", { id: "sources-title" }, "Sources"),
      el("ol", { class: "sources" }, (result.sources || []).map((s, i) => el("li", { id: "source-" + (i + 1) },
        s.citation, s.url ? [" ", el("a", { href: s.url, rel: "noopener noreferrer" }, s.url)] : null))));

    target.replaceChildren(banner, causes, treatments, advice, used, sources,
      el("p", { class: "not-diagnosis" }, el("strong", {}, result.disclaimer || "This is information, not a diagnosis.")));
  }

  const ORIGINS = { answer: "your answer", text: "your description", video: "your video", diary: "your diary" };

  /** "What we used": each item of evidence with where it came from (answer, video, diary…). */
  function usedEvidence(evidence) {
    const items = Object.entries(evidence);
    if (!items.length) return null;
    return el("section", { "aria-labelledby": "used-title" },
      el("h3", { id: "used-title" }, "What we used"),
      el("ul", { class: "evidence-used" }, items.map(([finding, item]) => {
        const origin = (item && item.origin) || "answer";
        return el("li", { "data-finding": finding, "data-origin": origin },
          FS.humanise(finding), ": ", el("strong", {}, value(item ? item.value : null)), " ",
          el("span", { class: "lr" }, "from " + (ORIGINS[origin] || origin)),
          item && item.detail ? el("span", { class: "help" }, " (" + item.detail + ")") : null);
      })));
  }

  function value(v) {
    if (v === null || v === undefined) return "don't know";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
    if (Array.isArray(v)) return v.map((x) => String(x).replace(/_/g, " ")).join(", ");
    return String(v).replace(/_/g, " ");
  }

  function cause(c, refs, open) {
    const p = Number(c.probability) || 0;
    const shown = percent(p);
    const width = Math.max(0.5, Math.min(100, p * 100));
    const finding = (f) => [f.text, " ", el("span", { class: "lr" }, "×" + Number(f.likelihood_ratio).toFixed(1)), refs(f.sources)];
    return el("div", { class: "cause", "data-cause": c.id },
      el("div", { class: "cause-head" }, el("span", {}, c.name), el("span", { class: "probability" }, shown)),
      el("div", { class: "bar", role: "img", "aria-label": c.name + ": " + shown },
        el("span", { style: "width:" + width.toFixed(1) + "%" })),
      el("details", { open }, el("summary", {}, "For and against"), el("div", { class: "for-against" },
        el("div", {}, el("h4", {}, "For"), (c.supporting || []).length
          ? el("ul", {}, c.supporting.map((f) => el("li", {}, finding(f)))) : el("p", { class: "help" }, "Nothing yet.")),
        el("div", {}, el("h4", {}, "Against"), (c.opposing || []).length
          ? el("ul", {}, c.opposing.map((f) => el("li", {}, finding(f)))) : el("p", { class: "help" }, "Nothing yet.")))));
  }

  function list(title, items) {
    if (!items.length) return null;
    return el("div", {}, title ? el("h4", {}, title) : null, el("ul", {}, items.map((parts) => el("li", {}, parts))));
  }

  return { render };
})();
