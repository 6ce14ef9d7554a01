"""Raw inputs: the registry, fetch and verify, online derivations, mirror comparisons."""
