"""Plumbing every driver needs, written once.

- `cache`: bounded caches (credential-keyed with a TTL; LRU that closes what it evicts).
- `waiting`: wait for a cloud's task or resource, never forever.
- `streams`: an upload's chunks re-cut as a cloud wants them; a download's closing
  wrapper.
- `errors`: the skeleton of every driver's `translated()` and the HTTP-status ladder.
- `http`: an httpx client for clouds no SDK speaks: timeouts, bounded retries that honour
  `Retry-After`, proxies from the environment, the endpoint policy on every request.
"""
