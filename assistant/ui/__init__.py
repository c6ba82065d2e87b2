"""The Gradio front end. Only app.py imports this package; Gradio stays inside it."""

from .layout import build_app, serve

__all__ = ["build_app", "serve"]
