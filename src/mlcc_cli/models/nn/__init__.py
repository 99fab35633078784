"""Neural networks: activations, layers (init, batch norm, dropout) and the `Mlp` model."""

from mlcc_cli.models.nn.mlp import Mlp

__all__ = ["Mlp"]
