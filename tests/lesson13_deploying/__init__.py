"""Tests of lesson 13 (deploying)."""
