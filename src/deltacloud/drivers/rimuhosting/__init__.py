"""The RimuHosting driver (its /r/ REST API through Apache Libcloud)."""
