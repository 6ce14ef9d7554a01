"""The build: notebook execution, the warm-kernel worker pool, the cache, the pipeline."""
