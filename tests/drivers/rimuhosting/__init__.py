"""Tests of the rimuhosting driver against a replay of RimuHosting's API."""
