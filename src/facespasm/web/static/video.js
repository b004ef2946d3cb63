// The video page: upload a file or record from the webcam, send it to POST /api/v1/analyze
// with visible progress, then draw the events as a timeline per region and side.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, svg } = FS;
  const REGIONS = ["eyelid", "brow", "cheek", "mouth"];
  const COLOURS = { left: "#0b5cad", right: "#b3261e", both: "#6a3fa0" };
  let analysis = null;
  let sent = null; // the last video analysed, {blob, name}: measured again when it is saved
  let stream = null;
  let recorder = null;
  let timer = null;

  function recordSeconds() {
    const fromUrl = Number(new URLSearchParams(location.search).get("seconds"));
    const fromPage = Number($("camera").dataset.recordSeconds);
    const seconds = Number.isFinite(fromUrl) && fromUrl > 0 ? fromUrl : fromPage;
    return Math.min(60, Math.max(1, seconds || 25));
  }

  function busy(text, percent) {
    FS.show($("busy"), true);
    $("busy-label").textContent = text;
    const bar = $("busy-progress");
    if (percent === null) bar.removeAttribute("value");
    else bar.value = percent;
  }

  function fail(message) {
    FS.show($("busy"), false);
    $("error").textContent = message;
    FS.show($("error"), true);
  }

  /** Upload with XMLHttpRequest, whose upload events give a real progress bar. */
  function analyse(blob, name) {
    FS.show($("error"), false);
    FS.show($("results"), false);
    busy("Uploading… 0%", 0);
    sent = { blob, name };
    const form = new FormData();
    form.append("file", blob, name);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/analyze");
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      busy("Uploading… " + percent + "%", percent);
    };
    request.upload.onload = () => busy("Analysing the video — following the face frame by frame…", null);
    request.onerror = () => fail("The upload failed; is the facespasm server still running?");
    request.onload = () => {
      try {
        const data = FS.parse(request.status, request.responseText);
        FS.show($("busy"), false);
        showResults(data);
      } catch (error) {
        fail(error.message);
      }
    };
    request.send(form);
  }

  function showResults(data) {
    analysis = data;
    const video = data.video || {};
    $("video-info").textContent = [
      video.duration_s !== undefined ? Number(video.duration_s).toFixed(1) + " s" : null,
      video.frames !== undefined ? video.frames + " frames" : null,
      video.fps ? Number(video.fps).toFixed(0) + " frames/s" : null,
      video.face_frames !== undefined ? "face found in " + video.face_frames + " frames" : null,
    ].filter(Boolean).join(" · ");
    const notes = [...(data.warnings || []), ...(data.readable && data.readable.note ? [data.readable.note] : [])];
    $("warnings").replaceChildren(...notes.map((w) => el("p", { class: "note" }, w)));
    drawTimeline(data.events || [], Number(video.duration_s) || 0);
    $("events-table").tBodies[0].replaceChildren(...(data.events || []).map((e) => el("tr", {},
      el("td", {}, Number(e.start_s).toFixed(2)), el("td", {}, Number(e.end_s).toFixed(2)),
      el("td", {}, e.kind), el("td", {}, e.side), el("td", {}, (e.regions || []).join(", ")))));
    // What people read comes worded by the server (`readable`): no keys, no raw values.
    const readable = data.readable || { summary: [], evidence: [] };
    $("summary").replaceChildren(...readable.summary.flatMap(([what, amount]) =>
      [el("dt", {}, what), el("dd", {}, amount)]));
    const rows = readable.evidence.map((line) => el("tr", { "data-finding": line.finding },
      el("td", {}, line.text), el("td", {}, line.confidence), el("td", {}, line.why)));
    $("evidence-table").tBodies[0].replaceChildren(...(rows.length ? rows
      : [el("tr", {}, el("td", { colspan: 3 }, "Nothing the interview can use was measured."))]));
    $("use-evidence").disabled = rows.length === 0;
    $("use-status").textContent = "";
    $("save-status").textContent = "";
    $("save-measurement").disabled = false;
    FS.show($("results"), true);
    $("results-title").focus();
  }

  /** One row per region, split into a left lane and a right lane; "both" spans the row. */
  function drawTimeline(events, duration) {
    const end = Math.max(duration, ...events.map((e) => Number(e.end_s) || 0), 1);
    const W = 720, labelW = 70, rowH = 36, top = 8, axisH = 28;
    const x = (t) => labelW + (t / end) * (W - labelW - 10);
    const H = top + REGIONS.length * rowH + axisH;
    const children = [];
    REGIONS.forEach((region, i) => {
      const y = top + i * rowH;
      children.push(svg("rect", { x: labelW, y, width: W - labelW - 10, height: rowH - 4, fill: i % 2 ? "#f3f5f7" : "#e9edf1" }));
      children.push(svg("text", { x: 4, y: y + rowH / 2 + 2, "font-size": 13, fill: "#1b1f24" }, FS.humanise(region)));
    });
    events.forEach((e, n) => {
      for (const region of e.regions || []) {
        const i = REGIONS.indexOf(region);
        if (i < 0) continue;
        const y = top + i * rowH;
        const half = (rowH - 4) / 2;
        const laneY = e.side === "right" ? y + half : y;
        const height = e.side === "both" ? rowH - 4 : half;
        const x0 = x(Number(e.start_s));
        const width = Math.max(3, x(Number(e.end_s)) - x0);
        const label = e.kind + ", " + e.side + " " + region + ", " + Number(e.start_s).toFixed(2) + "–" + Number(e.end_s).toFixed(2) + " s";
        const bar = svg("rect", {
          class: "event", x: x0, y: laneY + 1, width, height: height - 2, rx: 2,
          fill: COLOURS[e.side] || "#4a525c", tabindex: 0, role: "button", "aria-label": label,
          "data-kind": e.kind, "data-side": e.side, "data-event": n,
        }, svg("title", {}, label));
        const select = () => { $("event-detail").textContent = "Selected: " + label + (e.peak !== undefined ? " (strength " + Math.round(e.peak * 100) + "%)" : ""); };
        bar.addEventListener("click", select);
        bar.addEventListener("keydown", (k) => { if (k.key === "Enter" || k.key === " ") { k.preventDefault(); select(); } });
        children.push(bar);
      }
    });
    const axisY = top + REGIONS.length * rowH;
    const step = end > 20 ? 5 : end > 8 ? 2 : end > 3 ? 1 : 0.5;
    for (let t = 0; t <= end + 1e-9; t += step) {
      children.push(svg("line", { x1: x(t), x2: x(t), y1: axisY - 2, y2: axisY + 4, stroke: "#4a525c" }));
      children.push(svg("text", { x: x(t), y: axisY + 18, "font-size": 11, "text-anchor": "middle", fill: "#4a525c" }, t + " s"));
    }
    const picture = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "group", "aria-label": "Timeline of " + events.length + " events" }, children);
    const legend = el("p", { class: "legend" }, ["left", "right", "both"].map((side) =>
      el("span", {}, el("span", { class: "swatch swatch-" + side }), FS.humanise(side) + (side === "both" ? " sides" : " side"))),
      el("span", { class: "help" }, events.length + (events.length === 1 ? " event" : " events")));
    $("timeline").replaceChildren(picture, legend);
    $("event-detail").textContent = events.length ? "Select an event for its details." : "No events were found.";
  }

  /** "Save to my diary" (opt-in): the same video is sent again with save=true, so the diary
   *  keeps what the server measured, not a result sent back from the page. */
  async function saveMeasurement() {
    if (!sent) return;
    const form = new FormData();
    form.append("file", sent.blob, sent.name);
    form.append("save", "true");
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) form.append("timezone", zone);
    $("save-measurement").disabled = true;
    $("save-status").textContent = "Saving: measuring the video again for your diary…";
    let data;
    try {
      data = await FS.api("POST", "/analyze", form);
    } catch (error) {
      $("save-measurement").disabled = false;
      $("save-status").textContent = error.message;
      return;
    }
    $("save-status").replaceChildren("Saved to your diary as a measurement. ",
      el("a", { href: "/diary/kept" }, "See your measurements"));
    $("save-status").dataset.savedId = data.saved_id;
  }

  async function startCamera() {
    FS.show($("error"), false);
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      fail("This browser cannot record video; please upload a file instead.");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: false });
    } catch (error) {
      fail("The camera could not be opened (" + error.message + "). You can upload a file instead.");
      return;
    }
    $("preview").srcObject = stream;
    FS.show($("camera"), true);
    FS.show($("camera-start"), false);
    FS.show($("record"), true);
    $("record").focus();
  }

  function record() {
    const seconds = recordSeconds();
    const type = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"].find((t) => MediaRecorder.isTypeSupported(t));
    const chunks = [];
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = () => {
      clearInterval(timer);
      $("camera").classList.remove("recording");
      FS.show($("record-stop"), false);
      FS.show($("record"), true);
      $("record-time").textContent = "Recorded.";
      analyse(new Blob(chunks, { type: "video/webm" }), "recording.webm");
    };
    recorder.start(1000);
    $("camera").classList.add("recording");
    FS.show($("record"), false);
    FS.show($("record-stop"), true);
    const started = Date.now();
    const tick = () => {
      const left = Math.max(0, seconds - (Date.now() - started) / 1000);
      $("record-time").textContent = "Recording… " + Math.ceil(left) + " s left";
      if (left <= 0 && recorder.state === "recording") recorder.stop();
    };
    tick();
    timer = setInterval(tick, 250);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("record-seconds").textContent = recordSeconds();
    $("upload-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const file = $("video-file").files[0];
      if (!file) { fail("Choose a video file first."); return; }
      analyse(file, file.name);
    });
    $("camera-start").addEventListener("click", startCamera);
    $("save-measurement").addEventListener("click", saveMeasurement);
    $("record").addEventListener("click", record);
    $("record-stop").addEventListener("click", () => { if (recorder && recorder.state === "recording") recorder.stop(); });
    $("use-evidence").addEventListener("click", () => {
      if (!analysis) return;
      FS.save(FS.KEYS.video, analysis.evidence || {});
      $("use-status").replaceChildren("Saved for your assessment. ", el("a", { href: "/interview" }, "Go to the interview"));
    });
  });
})();
