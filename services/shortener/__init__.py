"""URL shortener (system 1): hashed base62 codes, aliases, expiry, cached redirects, clicks."""
