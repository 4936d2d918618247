"""Randomized verification: random designs through golden model, RTL and HLS C simulation at once."""
