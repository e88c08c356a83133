"""How a site is built fast: the build's paths, the cache, workers, staging."""
