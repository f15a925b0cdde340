"""impl vs torch timings, side by side in one process (``python -m benchmarks``)."""
