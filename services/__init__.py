"""The thin serving APIs: one subpackage per interactive system, mounted into one ASGI app."""
