"""Demo data generators, for `opencertif demo` (the www command) and bench/: never used by
the domain apps, which they use whole.

- `registry`: a deterministic synthetic registry (fiches, certifiers, demo SIRETs);
- `people`: the demo's reference population;
- `accounts`: staff, the demo university and third party, their deposit identifiers;
- `deposits`: a year of deposits through the engine.
"""
