"""property_tests configuration.

torch runs single-threaded here: the differential tests use tiny tensors, for which torch's intra-op thread
pool costs far more than it saves (torch.tril on a 3x3 tensor: ~5 ms with 2 threads on a busy 2-core machine,
~0.05 ms with 1), and results do not depend on the thread count for these sizes.
"""
import torch

torch.set_num_threads(1)
