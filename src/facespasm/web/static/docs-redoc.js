// facespasm: start ReDoc (installed with the server) on /redoc; nothing inline, nothing remote.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapiUrl, { hideDownloadButton: false }, root);
});
