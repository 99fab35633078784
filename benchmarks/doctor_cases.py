"""The doctor's labelled benchmark: small runs built to show one known problem each, or none.

Each `DoctorCase` is a seeded experiment that trains in well under a second and the set of
WARNING findings the run doctor must report for it (empty for a healthy run). The cases span
every model family, batch sizes 1, 32 and full, and the sgd and adam optimizers, so a rule
that fires on noise or stays silent on a loud signal shows up as a wrong case. Data the
builtins cannot give is generated (seeded) into a per-process temporary folder.
"""

from __future__ import annotations

from doctor_case_data import (
    coin_labels,
    curved_target,
    easy_validation_tail,
    glitched_sensor,
    long_tailed_counts,
    long_tailed_input,
    poisson_counts,
    rare_positives,
    rare_ranked_positives,
    repeated_rows,
    shifted_label_share,
    sorted_by_label,
    three_imbalanced_classes,
    unscaled_inputs,
)
from doctor_case_kit import (
    HEALTHY,
    LR_HIGH,
    LR_LOW,
    OVERFIT,
    PETS_CORPUS,
    SHAPES,
    STILL,
    TINY_CNN,
    TUMOUR_INPUTS,
    UNDERFIT,
    WORD2VEC,
    DoctorCase,
    builtin,
    case,
    data_file,
    linear_data,
)
from doctor_cases_judgement import judgement_cases


def doctor_cases() -> list[DoctorCase]:
    """Every labelled case, healthy runs first (generated data is written on first call)."""
    return [
        *_healthy_cases(),
        *_learning_rate_cases(),
        *_fit_cases(),
        *_data_cases(),
        *_network_cases(),
        *_classification_cases(),
        *_model_shape_cases(),
        *judgement_cases(),
    ]


def _healthy_cases() -> list[DoctorCase]:
    return [
        case(
            "linear-sgd-batch1-noisy-converged",
            "linear",
            ("sgd", 0.005),
            HEALTHY,
            "stochastic gradient descent one row at a time on z-scored data: converged within "
            "the first epoch, the training loss then wanders a few percent around the noise "
            "floor (noise 1.0); that wander is the noise of SGD, not a learning rate too high",
            data=linear_data(),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 5},
        ),
        case(
            "linear-sgd-batch32",
            "linear",
            ("sgd", 0.05),
            HEALTHY,
            "mini-batch SGD at a good rate: the loss falls fast, then flattens at the noise floor",
            data=linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 12},
        ),
        case(
            "linear-sgd-full-batch",
            "linear",
            ("sgd", 0.3),
            HEALTHY,
            "batch gradient descent: a smooth curve that reaches the least-squares minimum",
            data=linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": "full", "epochs": 60},
        ),
        case(
            "logistic-sgd-batch32",
            "logistic",
            ("sgd", 0.5),
            HEALTHY,
            "logistic regression on five well-behaved tumour measurements: converges, calibrated",
            data=builtin("breast_cancer"),
            model={"type": "logistic", "l2": 0.001},
            training={"batch_size": 32, "epochs": 30},
            inputs=TUMOUR_INPUTS,
        ),
        case(
            "logistic-adam-full-batch",
            "logistic",
            ("adam", 0.1),
            HEALTHY,
            "two Gaussian blobs a line separates, full-batch Adam: converged and calibrated",
            data=builtin("gaussian", samples=1000, noise=1.0),
            model={"type": "logistic"},
            training={"batch_size": "full", "epochs": 100},
        ),
        case(
            "softmax-adam-batch32",
            "softmax",
            ("adam", 0.05),
            HEALTHY,
            "softmax regression on the iris species: three classes, converged",
            data=builtin("iris"),
            model={"type": "softmax", "l2": 0.01},
            training={"batch_size": 32, "epochs": 60},
        ),
        case(
            "softmax-sgd-batch1",
            "softmax",
            ("sgd", 0.03),
            HEALTHY,
            "softmax on the wine cultivars, one row per step: noisy but converged",
            data=builtin("wine"),
            model={"type": "softmax", "l2": 0.01},
            training={"batch_size": 1, "epochs": 20},
        ),
        case(
            "mlp-adam-batch32",
            "mlp",
            ("adam", 0.02),
            HEALTHY,
            "8 ReLU units learn the XOR quadrants a line cannot separate",
            data=builtin("xor", samples=1000, noise=0.02),
            model={"type": "mlp", "hidden_units": [8]},
            training={"batch_size": 32, "epochs": 40},
            features=[],
        ),
        case(
            "mlp-adam-full-batch-regression",
            "mlp",
            ("adam", 0.02),
            HEALTHY,
            "a small tanh network fits the parabola with full-batch Adam",
            data=data_file(curved_target()),
            model={"type": "mlp", "hidden_units": [16], "activation": "tanh"},
            training={"batch_size": "full", "epochs": 600},
        ),
        case(
            "poisson-sgd-batch32",
            "poisson",
            ("sgd", 0.05),
            HEALTHY,
            "Poisson regression on counts drawn from exp(linear): the log link fits exactly",
            data=data_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "cnn-adam-batch32",
            "cnn",
            ("adam", 0.01),
            HEALTHY,
            "a tiny convolutional network tells three noisy shapes apart",
            data=SHAPES,
            features=[],
            model=TINY_CNN,
            training={"batch_size": 32, "epochs": 12},
        ),
        case(
            "word2vec-adam-batch64",
            "word2vec",
            ("adam", 0.01),
            HEALTHY,
            "skip-gram with negative sampling on the pets-and-vehicles corpus: both losses fall "
            "and flatten together",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 8},
        ),
        case(
            "linear-sgd-batch1-noisy-second-sample",
            "linear",
            ("sgd", 0.005),
            HEALTHY,
            "the noisy-but-converged SGD run again on another sample (seed 1) with 20 periods: "
            "after the first period the loss only wanders ±2% around the noise floor",
            data=linear_data(),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 5, "periods": 20},
            seed=1,
        ),
    ]


def _learning_rate_cases() -> list[DoctorCase]:
    return [
        case(
            "linear-rate-5-overflows",
            "linear",
            ("sgd", 5.0),
            LR_HIGH,
            "the NaN trap: at rate 5 every step overshoots further, the loss grows by orders "
            "of magnitude within the first period",
            data=linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "mlp-finite-divergence-lr-1e8",
            "mlp",
            ("sgd", 1e8),
            LR_HIGH,
            "rate 1e8 blows the network's weights up; the loss stays finite (saturated "
            "sigmoid) but ends orders of magnitude above the trivial model's: a diverged run, "
            "whose prediction bias and threshold are symptoms, not problems",
            data=builtin("breast_cancer"),
            model={"type": "mlp", "hidden_units": [16]},
            training={"batch_size": 32, "epochs": 10},
            inputs=TUMOUR_INPUTS,
        ),
        case(
            "linear-full-batch-rising",
            "linear",
            ("sgd", 0.96),
            LR_HIGH,
            "batch gradient descent just past the stable rate (2 / curvature): each step "
            "overshoots the minimum by a bit more, so the loss climbs steadily (1.2 to 2.0) "
            "without yet overflowing",
            data=linear_data(samples=2000, noise=0.5),
            model={"type": "linear"},
            training={"batch_size": "full", "epochs": 40},
        ),
        case(
            "linear-sgd-batch1-oscillating",
            "linear",
            ("sgd", 0.1),
            LR_HIGH,
            "one row per step at rate 0.1: each step jumps across the minimum, the loss bounces "
            "between 1.1 and 2.9 while rate 0.005 settles at the noise floor, 1.0",
            data=linear_data(samples=2000, noise=1.0),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 1},
        ),
        case(
            "linear-tiny-rate",
            "linear",
            ("sgd", 5e-5),
            LR_LOW,
            "rate 5e-5: the loss falls by the same small amount every period, far from the "
            "minimum when training ends",
            data=linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "logistic-adam-tiny-rate",
            "logistic",
            ("adam", 1e-4),
            LR_LOW,
            "Adam at 1e-4 on the tumour measurements: a straight, slow descent",
            data=builtin("breast_cancer"),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
            inputs=TUMOUR_INPUTS,
        ),
        case(
            "mlp-xor-stopped-early",
            "mlp",
            ("adam", 0.02),
            STILL,
            "the healthy XOR network stopped at 16 of its 40 epochs: the curve has bent, yet "
            "validation loss still falls 5-10% a period when training stops",
            data=builtin("xor", samples=1000, noise=0.02),
            features=[],
            model={"type": "mlp", "hidden_units": [8]},
            training={"batch_size": 32, "epochs": 16},
        ),
        case(
            "softmax-digits-stopped-early",
            "softmax",
            ("sgd", 0.05),
            STILL,
            "softmax on the 8x8 digits at a fine rate stopped after 3 epochs: still learning",
            data=builtin("digits"),
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 3},
        ),
        case(
            "softmax-digits-stopped-early-30-periods",
            "softmax",
            ("sgd", 0.5),
            STILL,
            "softmax on the digits stopped after 3 epochs, reported in 30 periods: each period "
            "falls by less, but the run is as unfinished as in 10 (30 epochs reach a third of "
            "its loss)",
            data={**builtin("digits"), "split": {"train": 0.7, "validation": 0.15, "test": 0.15}},
            features=[{"type": "minmax"}],
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 3, "periods": 30},
        ),
        case(
            "cnn-stopped-early",
            "cnn",
            ("adam", 0.01),
            STILL,
            "the healthy shapes network stopped at 4 of its 12 epochs: validation loss fell "
            "from 0.63 to 0.42 over the last four periods, one small bump on the way",
            data=SHAPES,
            features=[],
            model=TINY_CNN,
            training={"batch_size": 32, "epochs": 4},
        ),
        case(
            "word2vec-stopped-early",
            "word2vec",
            ("adam", 0.01),
            STILL,
            "the healthy word2vec run stopped at 4 of its 8 epochs, in the steep part of its "
            "curve: validation loss still falls 5-10% a period",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 4},
        ),
        case(
            "poisson-rate-3-diverges",
            "poisson",
            ("sgd", 3.0),
            LR_HIGH,
            "Poisson regression at rate 3: exp(X·w) overflows within the first period",
            data=data_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "poisson-tiny-rate",
            "poisson",
            ("sgd", 1e-4),
            LR_LOW,
            "Poisson regression at rate 1e-4: the deviance falls by the same 0.7% every period",
            data=data_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "word2vec-adam-rate-1",
            "word2vec",
            ("adam", 1.0),
            LR_HIGH,
            "word2vec with Adam at rate 1: the loss bounces between 5.6 and 7.4, more than "
            "twice the 2.6 the same run reaches at rate 0.01",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 8},
        ),
    ]


def _fit_cases() -> list[DoctorCase]:
    return [
        case(
            "mlp-xor-curves-part",
            "mlp",
            ("adam", 0.02),
            OVERFIT,
            "a wide network on 60 noisy XOR rows: validation loss bottoms out, then climbs while "
            "training loss keeps falling",
            data={
                **builtin("xor", samples=300, noise=0.3),
                "split": {"train": 0.2, "validation": 0.8},
            },
            features=[],
            model={"type": "mlp", "hidden_units": [64, 64]},
            training={"batch_size": 32, "epochs": 100},
        ),
        case(
            "mlp-memorises-few-rows",
            "mlp",
            ("adam", 0.003),
            OVERFIT,
            "512 units on 30 noisy rows of 10 inputs: training loss falls to 1e-31 while "
            "validation loss sits flat at 1.04 from the first period, four times the noise "
            "floor: memorisation, though validation never rises",
            data={
                **linear_data(samples=150, noise=0.5, features=10),
                "split": {"train": 0.2, "validation": 0.8},
            },
            model={"type": "mlp", "hidden_units": [512]},
            training={"batch_size": "full", "epochs": 1000},
        ),
        case(
            "logistic-on-xor",
            "logistic",
            ("sgd", 0.1),
            UNDERFIT,
            "a straight line cannot split the XOR quadrants: both losses flat at chance",
            data=builtin("xor", samples=1000, noise=0.02),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "logistic-on-circles-full-batch",
            "logistic",
            ("adam", 0.05),
            UNDERFIT,
            "concentric rings with a linear model and full-batch Adam: flat at the prior's loss",
            data=builtin("circles", samples=1000, noise=0.05),
            model={"type": "logistic"},
            training={"batch_size": "full", "epochs": 100},
        ),
        case(
            "linear-on-parabola",
            "linear",
            ("sgd", 0.05),
            UNDERFIT,
            "y = x²: the best straight line explains nothing, R² near 0, the loss flat",
            data=data_file(curved_target()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
    ]


def _data_cases() -> list[DoctorCase]:
    return [
        case(
            "linear-12-validation-rows",
            "linear",
            ("sgd", 0.05),
            {"validation_too_small"},
            "120 rows split 80/10/10: a well-fitted line, judged on 12 validation rows whose "
            "loss says as much about which rows landed there as about the model",
            data={
                **linear_data(samples=120, noise=1.0),
                "split": {"train": 0.8, "validation": 0.1, "test": 0.1},
            },
            model={"type": "linear"},
            training={"batch_size": 8, "epochs": 30},
        ),
        case(
            "linear-unshuffled-easy-validation",
            "linear",
            ("sgd", 0.02),
            {"validation_below_training"},
            "data.shuffle false on rows sorted loud-noise first: the validation split is the "
            "quiet tail, so validation loss sits far below training loss",
            data=data_file(easy_validation_tail(), shuffle=False),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "logistic-sorted-by-label-unshuffled",
            "logistic",
            ("sgd", 0.1),
            {"unshuffled_split"},
            "a file sorted by its label, split with data.shuffle false: validation holds only "
            "positives, so its accuracy, bias and majority baseline describe another problem",
            data=data_file(sorted_by_label(), shuffle=False),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "mlp-rows-repeated-across-splits",
            "mlp",
            ("adam", 0.01),
            {"validation_copies_training"},
            "every row written four times: nearly all validation rows are copies of training "
            "rows, so validation scores examples the network has already seen and memorised",
            data=data_file(repeated_rows(), split={"train": 0.7, "validation": 0.3}),
            model={"type": "mlp", "hidden_units": [32]},
            training={"batch_size": "full", "epochs": 200},
        ),
        case(
            "linear-unscaled-inputs",
            "linear",
            ("adam", 0.02),
            {"features_not_scaled"},
            "inputs 10,000× apart in scale and no z-score: the small input needs a weight of "
            "10, which Adam's equal-sized steps reach slowly and noisily",
            data=data_file(unscaled_inputs()),
            features=[],
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "linear-long-tailed-input",
            "linear",
            ("sgd", 0.05),
            {"long_tails"},
            "a lognormal input whose log drives the label: z-scored, its tail still dominates "
            "the fit; log(1 + x) would straighten it",
            data=data_file(long_tailed_input()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "linear-sensor-glitch-outliers",
            "linear",
            ("adam", 0.05),
            {"long_tails"},
            "1% of one input's readings multiplied by 1000, both signs: z-scored, the good "
            "readings are squeezed near 0 and the fit follows the glitches; clipping both ends "
            "brings the signal back",
            data=data_file(glitched_sensor()),
            model={"type": "linear"},
            training={"batch_size": 64, "epochs": 15},
        ),
    ]


def _network_cases() -> list[DoctorCase]:
    return [
        case(
            "mlp-deep-sigmoid-vanishing",
            "mlp",
            ("sgd", 0.1),
            {"vanishing_gradients"},
            "eight sigmoid layers: the gradient shrinks at each layer on its way back, the "
            "first layers barely learn",
            data=builtin("circles", samples=500),
            features=[],
            model={"type": "mlp", "hidden_units": [16] * 8, "activation": "sigmoid"},
            training={"batch_size": 32, "epochs": 5, "periods": 5},
        ),
        case(
            "mlp-exploding-gradients",
            "mlp",
            ("sgd", 0.1),
            {"exploding_gradients"},
            "z-scored diabetes inputs but a label in the thousands (label_scale 10): layer "
            "gradient norms reach 1e5; clipping at norm 1 keeps the run alive, not healthy",
            data={
                "source": "builtin:diabetes",
                "split": {"train": 0.7, "validation": 0.3},
                "label_scale": 10,
            },
            model={"type": "mlp", "hidden_units": [32, 16], "activation": "leaky_relu"},
            training={"batch_size": 16, "epochs": 20},
            seed=7,
            optimizer_options={"clip_norm": 1.0},
        ),
        case(
            "mlp-relu-dies-at-high-rate",
            "mlp",
            ("adam", 0.3),
            {"dead_relu"},
            "Adam's first steps at rate 0.3 (decaying 100× over 100 steps) push 81% of layer "
            "2's ReLUs below zero for every example; the loss settles smoothly at 1.84, eight "
            "times what the same network reaches at 0.03",
            data=linear_data(noise=0.5),
            model={"type": "mlp", "hidden_units": [32, 32], "activation": "relu"},
            training={"batch_size": 32, "epochs": 10},
            optimizer_options={
                "schedule": {"type": "exponential", "decay_rate": 0.01, "decay_steps": 100}
            },
        ),
    ]


def _classification_cases() -> list[DoctorCase]:
    return [
        case(
            "logistic-threshold-too-high",
            "logistic",
            ("sgd", 0.5),
            {"threshold_far_from_best_f1"},
            "a good tumour classifier judged at threshold 0.97: most benign cases are called "
            "malignant; F1 is far better near 0.5",
            data=builtin("breast_cancer"),
            model={"type": "logistic", "l2": 0.001},
            training={"batch_size": 32, "epochs": 30},
            inputs=TUMOUR_INPUTS,
            evaluation={"threshold": 0.97},
        ),
        case(
            "logistic-rare-positives",
            "logistic",
            ("sgd", 0.1),
            {"no_better_than_majority", "threshold_far_from_best_f1"},
            "8% positives and a weak signal: the trained model never reaches 0.5, so at the "
            "default threshold it predicts the majority class everywhere (the accuracy "
            "paradox); a lower threshold finds the positives",
            data=data_file(rare_positives()),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "logistic-rare-positives-ranked",
            "logistic",
            ("sgd", 0.05),
            {"no_better_than_majority", "threshold_far_from_best_f1"},
            "2.5% positives from the logistic model itself: validation AUC ~0.77, yet the log "
            "loss sits near the prior's because positives are rare; not underfitting (a "
            "network does no better) but the accuracy paradox, which a lower threshold answers",
            data=data_file(rare_ranked_positives(), split={"train": 0.7, "validation": 0.3}),
            model={"type": "logistic"},
            training={"batch_size": 64, "epochs": 20},
        ),
        case(
            "mlp-coin-labels",
            "mlp",
            ("adam", 0.01),
            {"no_signal"},
            "a fair coin for a label: a network's training and validation losses stay at the "
            "prior's, AUC 0.5; a bigger network would not help, the data has no signal",
            data=data_file(coin_labels()),
            model={"type": "mlp", "hidden_units": [16, 8]},
            training={"batch_size": 64, "epochs": 10},
        ),
        case(
            "logistic-biased-training-sample",
            "logistic",
            ("sgd", 0.1),
            {"prediction_bias"},
            "unshuffled rows: training holds half positives, validation a fifth, so the "
            "model's mean prediction on validation sits well above the label share",
            data=data_file(shifted_label_share(), shuffle=False),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
    ]


def _model_shape_cases() -> list[DoctorCase]:
    """Problems in how the model or its optimizer is set up for the data (issue 15's later
    gaps): the rate a z-score needs, a pinning L2, a one-unit layer, a rare class, a tail in
    the label."""
    return [
        case(
            "logistic-adam-raw-inputs-tiny-rate",
            "logistic",
            ("adam", 1e-4),
            {"features_not_scaled"},
            "Adam at 1e-4 on the raw tumour measurements: z-scored at that rate the run gets "
            "worse (each weight still moves about 1e-4 a step, now in the label's units), so "
            "the fix must bring the rate a range test measures on the z-scored inputs",
            data=builtin("breast_cancer"),
            features=[],
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "logistic-l2-pins-the-weights",
            "logistic",
            ("sgd", 0.05),
            {"l2_too_strong"},
            "L2 of 1 on five tumour measurements: the penalty is a third of the loss the "
            "weights won, holding them near half their size; the flat, high loss is λ₂'s, "
            "not the rate's or the model's size",
            data=builtin("breast_cancer"),
            model={"type": "logistic", "l2": 1.0},
            training={"batch_size": 32, "epochs": 20},
            inputs=TUMOUR_INPUTS,
        ),
        case(
            "mlp-one-unit-hidden-layer",
            "mlp",
            ("adam", 0.01),
            {"narrow_hidden_layer"},
            "ten digits squeezed through a hidden layer of one unit: one direction of the "
            "inputs where ten classes need nine, accuracy 0.25 however long it trains",
            data=builtin("digits"),
            model={"type": "mlp", "hidden_units": [1]},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "softmax-rare-classes",
            "softmax",
            ("sgd", 0.1),
            {"class_imbalance"},
            "three overlapping classes at 90/7/3%: accuracy a hair above always predicting "
            "the common class, macro F1 0.37: the rare classes are called the common one",
            data=data_file(three_imbalanced_classes()),
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "linear-long-tailed-count-label",
            "linear",
            ("sgd", 0.01),
            {"long_tailed_label"},
            "counts growing multiplicatively with the inputs, fitted by a straight line: the "
            "largest 5% of labels make most of the squared error; Poisson regression fits them",
            data=data_file(long_tailed_counts()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
    ]
