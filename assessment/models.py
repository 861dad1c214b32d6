"""Assessment (考核): indicators, scores and rankings are computed from the other apps'
data; this app stores only its own configuration and monthly snapshots (issue: Assessment)."""
