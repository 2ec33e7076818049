"""The Azure driver: Azure Blob Storage (containers are buckets), storage only."""
