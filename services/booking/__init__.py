"""Booking (system 13): hotel rooms by night and flight seats, holds, payment, no overbooking."""
