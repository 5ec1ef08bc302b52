"""E-commerce (system 15): catalogue, search, cart, checkout saga, orders, reviews, support."""
