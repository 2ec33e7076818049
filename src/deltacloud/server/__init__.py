"""The ASGI application: request parsing, dispatch to collections, responses."""
