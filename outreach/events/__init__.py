"""Publicity events (宣传活动): recording one with its photos, and the month calendar per
district with the seasonal campaigns suggested on it (seasons.py)."""
