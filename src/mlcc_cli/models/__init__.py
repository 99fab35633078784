"""The models: numpy implementations of what the crash course trains, and their registry.

- `base`: the protocol every model answers (`TrainableModel`: task, loss, compiled kernel,
  streaming support, scores for the metrics, advice) and `Model`, its common answers
- `linear_base`: weights, checks and saved state shared by the linear family; `linear`
  (linear and logistic regression), `multiclass` (softmax, one-vs-all), `multilabel`
- `nn`: the multilayer perceptron and its building blocks
- `registry`: `MODELS`, one class per `model.type` tag, and `build_model`

A model computes a batch's loss and gradients and predicts; it never loops over batches (the
training loop does) and never updates its own weights (the optimizer does). Only this package
and `config/` compare `type:` tags: the rest of mlcc asks the model object.

May import: `mlcc_cli.config` (the model config sections), `mlcc_cli.errors`, numpy and
scipy; never training, data, features or anything above them.
"""
