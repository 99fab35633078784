"""Everything mlcc prints: rich tables, plotext charts and sentences. It computes nothing.

One module per command's output (`training`, `evaluation`, `slices`, `doctor`, `compare`,
`sweep`, `exercise`, `inspection`, `datasets`), plus `console` (the terminal, errors and
warnings), `text` (how numbers read), and what keeps every output readable at 80 columns:
`layout` (tables split into whole columns), `prose` (hanging indents, pasteable commands)
and `charts` (axis ticks). The only importer of rich and plotext; imported
only by `mlcc_cli.commands`.

May import: workflows and every package below them (for their result types).
"""
