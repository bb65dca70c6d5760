"""A differential fuzzer for s2sgrad: random Python/NumPy programs, each gradient checked independently.

``generate`` writes the programs, ``check`` judges s2sgrad on one, ``run`` runs many in a
process pool, ``reduce`` shrinks a saved failure. Command: ``python -m tests.fuzz --help``.
"""
