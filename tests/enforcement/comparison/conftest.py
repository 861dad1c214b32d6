"""Fixtures of the comparison engine's tests. The engine's tests build their worlds with
`comparison_world.World` (a builder, imported by name because it is a helper class, not a
fixture)."""
