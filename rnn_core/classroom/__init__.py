"""A class session: rooms, votes and tallies, and what a student keeps across reloads, in one store."""
