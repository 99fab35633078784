"""`mlcc neighbors RUN WORD`: the nearest words in a run's learned embedding."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mlcc_cli.commands.common import JsonOption, RunArg, user_errors
from mlcc_cli.render.console import terminal


def neighbors(
    run: RunArg,
    word: Annotated[
        str,
        typer.Argument(
            metavar="WORD", help="The word (or category) to look up.", show_default=False
        ),
    ],
    k: Annotated[int, typer.Option("--k", "-k", metavar="N", help="How many neighbours.")] = 10,
    column: Annotated[
        str | None,
        typer.Option(
            "--column",
            metavar="COLUMN",
            help="Which embedding, when the run has several (embeddings-COLUMN.csv).",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Nearest words by cosine similarity in a run's learned embedding.

    Reads RUN/embeddings.csv (word2vec) or RUN/embeddings-COLUMN.csv (an mlp's
    model.embeddings): words with similar vectors were used in similar contexts.
    """
    with user_errors(json_output):
        # deferred: numpy and pandas load only for the command that runs
        from mlcc_cli.workflows.neighbors import nearest_neighbors

        result = nearest_neighbors(run, word, k, column)
        if json_output:
            typer.echo(json.dumps(result.to_json(), allow_nan=False))
            return
        from mlcc_cli.render.neighbors import render_neighbors

        render_neighbors(terminal(), result)
