"""Config of the `model:` section for a convolutional network (`type: cnn`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from mlcc_cli.config.base import StrictModel
from mlcc_cli.config.penalties import L1, L1_METHOD, L2, L1Method


class ConvBlockConfig(StrictModel):
    """One convolution block of a cnn: convolution → activation → optional pooling."""

    filters: int = Field(gt=0, description="Filters (output channels) of the convolution.")
    kernel: int = Field(gt=0, description="Side k of the square k×k convolution kernel.")
    stride: int = Field(1, gt=0, description="Step of the kernel across the image.")
    padding: Literal["same", "valid"] = Field(
        "same",
        description="`same`: zero-pad so the output is ⌈size / stride⌉; `valid`: no padding.",
    )
    pool: int | None = Field(
        None,
        gt=0,
        description="Side of the pooling window after the activation (stride = pool); null: none.",
    )
    pool_type: Literal["max", "average"] = Field("max", description="Pooling: `max` or `average`.")

    def convolved(self, side: int) -> int:
        """A side of the convolution's output: valid ⌊(n − k)/stride⌋ + 1 (≤ 0 when the kernel
        is wider than n), same ⌈n/stride⌉."""
        if self.padding == "valid":
            return (side - self.kernel) // self.stride + 1
        return -(-side // self.stride)

    def pooled(self, side: int) -> int:
        """A side after the pooling (stride = pool): ⌊n/pool⌋, n without pooling."""
        return side // self.pool if self.pool else side


class CnnConfig(StrictModel):
    """A convolutional network on pixel columns: conv blocks, dense layers, the task's head."""

    type: Literal["cnn"] = Field(description="Model tag.")
    image_shape: list[int] = Field(
        min_length=3,
        max_length=3,
        description=(
            "[height, width, channels] of each image; the inputs must be exactly "
            "height·width·channels pixel columns, row-major with channels last."
        ),
    )
    conv: list[ConvBlockConfig] = Field(
        min_length=1,
        description=(
            "Convolution blocks, input side first, e.g. "
            "[{filters: 8, kernel: 3, padding: same, pool: 2}]."
        ),
    )
    hidden_units: list[int] = Field(
        default_factory=list,
        description="Units per dense hidden layer after flattening (may be empty), e.g. [32].",
    )
    activation: Literal["relu", "leaky_relu", "tanh", "sigmoid"] = Field(
        "relu", description="Non-linearity after every convolution and hidden layer."
    )
    leaky_slope: float = Field(
        0.01, gt=0, lt=1, description="leaky_relu only: slope for negative inputs."
    )
    dropout: float | list[float] = Field(
        0.0,
        description="Inverted dropout rate after each dense hidden layer (one value for all, or "
        "one per hidden_units layer; none in conv blocks or after the flatten); 0 ≤ rate < 1; "
        "training only, so evaluation needs no rescaling.",
    )
    batch_norm: bool = Field(
        False,
        description="Batch normalisation before each activation: per filter in conv blocks "
        "(statistics over batch, height, width), per unit in dense layers; γ, β replace the "
        "biases; running averages at evaluation.",
    )
    init: Literal["auto", "he", "xavier"] = Field(
        "auto",
        description="Weight initialisation (fan-in k·k·channels for kernels): `he` (ReLU "
        "family), `xavier` (tanh, sigmoid); `auto` picks by activation.",
    )
    task: Literal["auto", "regression", "binary", "multiclass"] = Field(
        "auto",
        description=(
            "Output head: `regression` (linear), `binary` (sigmoid), `multiclass` (softmax); "
            "`auto` decides from the label (text or few integer values: classes)."
        ),
    )
    l1: float = Field(0.0, ge=0, description=L1 + " On kernels and weights, never biases.")
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description=L2 + " On kernels and weights, never biases.")

    @field_validator("image_shape")
    @classmethod
    def _positive_shape(cls, shape: list[int]) -> list[int]:
        if any(size <= 0 for size in shape):
            raise ValueError(f"height, width and channels must be at least 1, got {list(shape)}")
        return shape

    @field_validator("conv")
    @classmethod
    def _blocks_fit(cls, conv: list[ConvBlockConfig], info: ValidationInfo) -> list:
        # Sizes follow from image_shape alone (ConvBlockConfig.convolved / .pooled), so
        # `mlcc validate` can tell before any data; a kernel or pool wider than its input has
        # no output.
        shape = info.data.get("image_shape")
        if not shape or len(shape) < 2:
            return conv
        sides = list(shape[:2])
        for index, block in enumerate(conv):
            if block.padding == "valid" and block.kernel > min(sides):
                raise ValueError(
                    f"block {index}: kernel {block.kernel} is larger than its input "
                    f"{min(sides)} with padding valid; use padding same or a smaller kernel"
                )
            sides = [block.convolved(side) for side in sides]
            if block.pool and block.pool > min(sides):
                raise ValueError(
                    f"block {index}: pool size {block.pool} is larger than its input "
                    f"{min(sides)}; use a smaller pool, padding same in the convolutions "
                    "before it, or fewer pooling layers"
                )
            sides = [block.pooled(side) for side in sides]
        return conv

    @field_validator("hidden_units")
    @classmethod
    def _positive_units(cls, units: list[int]) -> list[int]:
        if any(n <= 0 for n in units):
            raise ValueError(f"every layer needs at least one unit, got {units}")
        return units

    @field_validator("dropout")
    @classmethod
    def _one_rate_per_layer(
        cls, dropout: float | list[float], info: ValidationInfo
    ) -> float | list[float]:
        # A field validator (hidden_units is checked first) so the error names model.dropout.
        layers = len(info.data.get("hidden_units", []))
        rates = dropout if isinstance(dropout, list) else [dropout]
        if isinstance(dropout, list) and len(rates) != layers:
            raise ValueError(f"{len(rates)} rates for {layers} dense hidden layers")
        if not all(0.0 <= rate < 1.0 for rate in rates):
            raise ValueError(f"rates must be in [0, 1), got {dropout}")
        if any(rates) and not layers:
            raise ValueError("dropout acts after dense hidden layers; model.hidden_units is empty")
        return dropout
