"""The numpy core: each calculator's relations among named quantities in fixed units (SI and
USD) and the solver that evaluates them. No pint, no I/O, no printing."""
