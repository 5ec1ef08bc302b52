"""Model serving: recommendations, similar items and feed ranking (system models)."""
