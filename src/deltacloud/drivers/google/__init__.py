"""The Google driver: Google Cloud Storage (XML API with HMAC keys, or JSON API), storage only."""
