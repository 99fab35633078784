"""What every config section shares: the strict base model and the tags of a tagged union."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, model_validator

from mlcc_cli.config.booleans import mark_misplaced_booleans


class StrictModel(BaseModel):
    """Base of every config section: unknown keys are errors and values are immutable.

    Numbers must be finite: YAML reads `.inf` and `.nan` as floats, and no setting means
    anything useful as infinity (a missing bound is written by leaving the key out). A
    boolean is never a number (`learning_rate: yes` is refused, not read as 1.0).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, data: Any) -> Any:
        # Before pydantic converts: its lax mode would read true as 1 and false as 0.
        return mark_misplaced_booleans(cls.model_fields, data)


def union_tags(union: object) -> tuple[str, ...]:
    """The `type:` tags of a discriminated union alias, in declaration order.

    Registries are checked against these so a config variant never lacks an implementation.
    """
    members = get_args(get_args(union)[0]) or (get_args(union)[0],)
    return tuple(get_args(member.model_fields["type"].annotation)[0] for member in members)
