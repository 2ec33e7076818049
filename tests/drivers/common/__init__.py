"""Tests of drivers/common: the plumbing every driver shares."""
