// facespasm: helpers shared by the pages (no framework, no build step).
"use strict";

// A clinic server's pages carry their session's CSRF token in <meta name="csrf-token">: every
// request that changes something (fetch or XMLHttpRequest) sends it in X-CSRF-Token.
(() => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.getAttribute("content") : null;
  if (!token) return;
  const safe = (method) => ["GET", "HEAD", "OPTIONS"].includes(String(method || "GET").toUpperCase());
  const originalFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const options = Object.assign({}, init);
    const method = options.method || (input instanceof Request ? input.method : "GET");
    if (!safe(method)) {
      const headers = new Headers(options.headers || (input instanceof Request ? input.headers : undefined));
      headers.set("X-CSRF-Token", token);
      options.headers = headers;
    }
    return originalFetch(input, options);
  };
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, ...rest) {
    this.facespasmMethod = method;
    return open.call(this, method, ...rest);
  };
  XMLHttpRequest.prototype.send = function (body) {
    if (!safe(this.facespasmMethod)) this.setRequestHeader("X-CSRF-Token", token);
    return send.call(this, body);
  };
})();

const FS = (() => {
  const KEYS = { answers: "facespasm.answers", video: "facespasm.video_evidence" };

  /** Call the JSON API; resolve to the parsed body, or reject with the API's message. */
  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch("/api/v1" + path, options);
    return parse(response.status, await response.text());
  }

  /** POST a JSON body to a page route that answers with an HTML fragment; reject with the
   *  API's message when it refuses. */
  async function fragment(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { Accept: "text/html", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) parse(response.status, text);
    return text;
  }

  function parse(status, text) {
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (status < 200 || status >= 300) {
      const message = data && data.error && data.error.message
        ? data.error.message
        : (data && data.detail ? String(data.detail) : "The server answered " + status + ".");
      throw new Error(message);
    }
    return data;
  }

  /** Build an element: el("p", {class: "x"}, "text", child). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function load(key, fallback) {
    try {
      const text = sessionStorage.getItem(key);
      return text === null ? fallback : JSON.parse(text);
    } catch { return fallback; }
  }

  function save(key, value) {
    if (value === null || value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  }

  function humanise(id) {
    return String(id).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }

  function show(node, visible) { node.hidden = !visible; }

  return { KEYS, api, fragment, parse, el, svg, load, save, humanise, show };
})();
