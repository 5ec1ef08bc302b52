"""Ride sharing (system 4): live driver positions on H3, matching by predicted pickup time,
the trip state machine with fares charged once, and surge from an asset."""
