"""The sbc driver: IBM SmartCloud Enterprise's REST API (see README.md in this package)."""
