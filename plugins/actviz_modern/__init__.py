"""The modern catalogue: PyTorch's element-wise activations and common losses (being written)."""
