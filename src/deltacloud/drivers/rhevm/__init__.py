"""The rhevm driver: oVirt / Red Hat Virtualization engines through the REST API v4."""
