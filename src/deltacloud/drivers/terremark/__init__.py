"""Terremark vCloud Express (API 0.8) through Apache Libcloud."""
