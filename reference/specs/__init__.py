"""OpSpecs, one module per family; ``reference.registry.all_specs()`` collects them (in SPEC_MODULES order).

core_elementwise.py, core_reduce.py, core_shape.py (incl. indexing and in-place ops), core_linalg.py,
core_creation.py, core_scatter.py (scatter and index_* ops), core_combine.py (einsum, tensordot, kron, splits, ...):
the core ops of ``impl``. nn_functional.py and losses.py: ``impl.nn.functional``.

How to add a spec
-----------------
1. Write the op in ``impl`` (forward + backward beside it), or find the public name you want to cover.
2. Append an ``OpSpec`` to ``SPECS`` in the right module::

       OpSpec("logsumexp",                                   # unique name: the pytest id and the parity row
              lambda lib, x, dim, keepdim: x.logsumexp(dim=dim, keepdim=keepdim),   # ONE lambda, impl and torch
              _reduce(dims=("int", "tuple")),                 # hypothesis strategy -> Sample(arrays, kwargs)
              differentiable=(0,),                            # which arrays get requires_grad (float ones only)
              error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, "keepdim": False}),
                                       IndexError, "logsumexp.*Dimension out of range"),))

   * ``fn(lib, *tensors, **kwargs)`` gets ``lib`` = ``impl`` or ``torch``: reach module functions as
     ``lib.where(...)`` / ``lib.nn.functional.pad(...)`` and dtypes as ``lib.float64``; return a tensor, a
     tuple of them, or Python values (compared exactly).
   * The strategy (reference/strategies.py helpers: ``unary``, ``binary``, ``shapes``, ``broadcast_shapes``,
     ``dims_of``, ``values(rng, shape, domain)``) returns ``Sample(arrays, kwargs)``: numpy arrays (float ones
     made in float64; the tests cast them to each dtype in ``dtypes``; int64/bool arrays are kept) and the
     keyword arguments of ``fn``. Include 0-d and size-0 shapes where torch allows them, size-0 ones rarely
     (``shapes`` and ``broadcast_shapes`` do; for hand-drawn sizes, index lengths and masks use ``rare_zero``,
     ``nonzero_sizes`` or ``rarely``): an empty tensor compares nothing, and test_ops fails a spec when fewer than
     80% of its examples compare any value or gradient entry. Keep kinks and ties
     away with the value domains (``nonzero``, ``distinct``, ``not_int``, ``away_from``) and test them in a
     separate spec on purpose. A strategy must never produce an input torch rejects: that is an error input.
   * Integer/bool-only ops: ``dtypes=("int64",)`` or ``("bool",)``, ``differentiable=()``, ``gradcheck=False``.
   * Tolerances start at torch.testing.assert_close's defaults. Loosen only with a reason, which OpSpec enforces:
     ``bwd_tol={"float32": dict(atol=1e-4, reason="...")}``. Never loosen to turn red green: when impl and torch
     disagree, float64 finite differences (``check_gradcheck``) decide; fix impl, or record a ``Divergence``.
3. Run ``python3 -m pytest property_tests/test_ops.py -k <name>`` and ``python -m reference.parity -k <name>``.
   ``property_tests/test_meta.py`` checks that every public op is called directly by some spec (or excluded in
   ``reference.registry.COVERAGE_EXCLUSIONS`` with a reason).
"""
