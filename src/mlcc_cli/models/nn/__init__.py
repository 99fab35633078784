"""Neural networks: the `Mlp` and `Cnn` models and their building blocks.

- `mlp`: the dense network, answering the model protocol (`models/base.py`)
- `cnn`: the convolutional network (conv blocks → dense layers → head), same protocol;
  `cnn_state` saves and rebuilds it
- `propagation`: the forward pass with its cache, and backpropagation
- `layers`: weight init, batch normalisation, inverted dropout; `activations`: f and f'
- `heads`: how the output becomes a loss, δ and probabilities; `embeddings`: categorical
  inputs as learned vectors
- `mlp_state`: the network saved as JSON-able values and rebuilt from them
- `convolution` and `pooling`: 2-D convolution (im2col + one matrix product) and max/average
  pooling over NHWC image batches, forward and backward — the layers of convolutional networks

May import: `mlcc_cli.models` (base, linear_base), `mlcc_cli.errors`, numpy and scipy.
"""

from mlcc_cli.models.nn.cnn import Cnn
from mlcc_cli.models.nn.mlp import Mlp

__all__ = ["Cnn", "Mlp"]
