"""From options to reports, for the Python API and the command line alike: presets and options
gathered and checked, the engine run through the one route (``route``: a table of scenarios,
one engine call, results in display units), goal-seeks, sweeps, tornado charts, batches and
comparisons, and the reports the output layer renders."""
