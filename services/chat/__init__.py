"""Messaging (system 5): conversations, a sequenced log per conversation, WebSocket delivery."""
