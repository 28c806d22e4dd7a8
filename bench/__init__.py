"""Benchmarks for policydiff: labelled accuracy against mutated model policies, and speed.

Modules:
    bench.mutate        -- generate(model_id, n, seed): labelled variants of a model policy
    bench.accuracy      -- run(n, seed, quick): policydiff and baselines scored on the variants
    bench.baselines     -- difflib paragraph diff and rapidfuzz best-match baselines
    bench.engine_speed  -- run(quick): in-process engine time and CLI wall time
"""
