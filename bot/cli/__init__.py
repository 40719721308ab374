"""The ``greenroom`` command line: one module per capability, a shared context, and how
long work looks in a terminal."""
