"""The test suite: every lesson claim proven with test_client and in a browser."""
