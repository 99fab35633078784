"""What every config section shares: the strict base model and the tags of a tagged union."""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are errors and values are immutable.

    Numbers must be finite: YAML reads `.inf` and `.nan` as floats, and no setting means
    anything useful as infinity (a missing bound is written by leaving the key out).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)


def union_tags(union: object) -> tuple[str, ...]:
    """The `type:` tags of a discriminated union alias, in declaration order.

    Registries are checked against these so a config variant never lacks an implementation.
    """
    members = get_args(get_args(union)[0]) or (get_args(union)[0],)
    return tuple(get_args(member.model_fields["type"].annotation)[0] for member in members)
