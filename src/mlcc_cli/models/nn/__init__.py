"""Neural networks: the `Mlp` and `Cnn` models and their building blocks.

- `mlp`: the dense network, answering the model protocol (`models/base.py`)
- `cnn`: the convolutional network (conv blocks → dense layers → head), same protocol;
  `cnn_propagation` its two passes, `cnn_summary` its layer table, filters and feature maps,
  `cnn_state` saves and rebuilds it
- `headed`: what every network with a task head shares (loss, predictions, label checks)
- `embedded_linear`: linear and logistic regression over embedded inputs (a network with no
  hidden layer)
- `propagation`: the forward pass with its cache, and backpropagation
- `layers`: weight init, batch normalisation, inverted dropout; `activations`: f and f'
- `heads`: how the output becomes a loss, δ and probabilities; `embeddings`: categorical
  inputs as learned vectors
- `mlp_state`: the network saved as JSON-able values and rebuilt from them
- `convolution` and `pooling`: 2-D convolution (im2col + one matrix product) and max/average
  pooling over NHWC image batches, forward and backward — the layers of convolutional networks
- `conv_kernels` and `pooling_kernels`: the same im2col/col2im and max-pooling compiled with
  numba (imported only where a convolution runs), which small images need to approach the
  matrix-product floor
- `cnn_memory`: glibc's `mallopt(M_TOP_PAD)` through ctypes, so a CNN's per-batch
  temporaries reuse pages instead of faulting them back in

May import: `mlcc_cli.models` (base, linear_base), `mlcc_cli.errors`, numpy, scipy, numba and
ctypes.
"""

from mlcc_cli.models.nn.cnn import Cnn
from mlcc_cli.models.nn.mlp import Mlp

__all__ = ["Cnn", "Mlp"]
