"""The bridge to PyTorch: op specs (``reference.specs``, collected by ``reference.registry``), hypothesis
strategies, comparison and gradcheck helpers, twin-model builders, and the parity job (``python -m reference.parity``).
"""
