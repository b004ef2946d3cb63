"""The browser face of facespasm: a FastAPI app with a JSON API and server-rendered pages."""
