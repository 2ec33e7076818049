"""The mock driver: a pretend cloud with Deltacloud's mock data, kept in SQLite."""
