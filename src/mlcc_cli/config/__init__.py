"""The experiment file: its pydantic models, and reading, overriding and validating it.

What lives here:

- `experiment`: `ExperimentConfig`, the whole file, and the rules that span sections
- one module per section: `data`, `features` (the `FeatureStep` union, with the step models
  in `feature_numeric`, `feature_categorical` and `feature_cleaning`), `models`,
  `optimizers`, `training` (`training:` and `evaluation:`), `sweep` and `exercise`;
  `base` holds `StrictModel`, which every section inherits, and `union_tags`
- loading: `loading` (`load_config`, `resolved_yaml`, `check_run_name`) built from
  `yaml_reading` (YAML with line numbers; `yaml_guards` refuses alias bombs, deep nesting,
  duplicate keys and oversized files), `composition` (`extends:`: merging the files a config
  extends, each value keeping its file and line), `overrides` (`--set`) and
  `validation_messages` (friendly `file:line: dotted.key:` errors)
- `reference`: the README's config reference, generated from the field descriptions

What it may import: from mlcc_cli only `mlcc_cli.errors` and its own modules; otherwise
pydantic, PyYAML (to read the file) and the standard library, never numpy or pandas. Every
other package may import from here; this package re-exports nothing, so import each name
from the module that defines it.
"""
