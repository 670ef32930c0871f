#!/usr/bin/env python3
"""Writes pytorch-reference.json: every built-in activation's values and gradients, computed by PyTorch.

test/activations/reference.test.ts checks each registered activation against this file (CI reads the JSON; it
needs no PyTorch). A new activation needs only its entry in CASES below, then:

    /usr/bin/python3 test/activations/pytorch-reference.py   # Debian: apt-get install python3-torch
    npx prettier --write test/activations/pytorch-reference.json   # the committed layout: else every line changes

Each case is the harness's activation spec and the PyTorch function of the same activation. Values are float64
(the harness computes in float32; the test allows for that). The gradient is d sum(f(x)) / dx. The stochastic
activations are given in inference mode (their training noise is tested statistically in nrelu/rrelu tests).
"""
import json
import os

import torch
import torch.nn.functional as F

# 0, tiny and large values of both signs (1000: exp underflows to 0, x^3 is large, sigmoid saturates).
INPUTS = [-1000.0, -20.0, -3.0, -1.0, -0.5, -0.001, 0.0, 0.001, 0.5, 1.0, 3.0, 20.0, 1000.0]


def prelu(init):
    return lambda x: F.prelu(x, torch.tensor([init], dtype=x.dtype))


def rrelu_inference(lower, upper):
    return lambda x: F.rrelu(x, lower, upper, training=False)


# (spec as in a config, the PyTorch call written out, the function)
CASES = [
    ("relu", "F.relu(x)", F.relu),
    ("leaky_relu", "F.leaky_relu(x, 0.01)", lambda x: F.leaky_relu(x, 0.01)),
    ({"name": "leaky_relu", "alpha": 0.2}, "F.leaky_relu(x, 0.2)", lambda x: F.leaky_relu(x, 0.2)),
    ("prelu", "F.prelu(x, tensor([0.25]))", prelu(0.25)),
    ({"name": "prelu", "shared": False, "init": 0.1}, "F.prelu(x, tensor([0.1]))", prelu(0.1)),
    ("gelu", "F.gelu(x)", F.gelu),
    ({"name": "gelu", "approximate": "tanh"}, "F.gelu(x, approximate='tanh')", lambda x: F.gelu(x, approximate="tanh")),
    ("rrelu", "F.rrelu(x, 1/8, 1/3, training=False)", rrelu_inference(1 / 8, 1 / 3)),
    ({"name": "rrelu", "lower": 0.1, "upper": 0.3}, "F.rrelu(x, 0.1, 0.3, training=False)", rrelu_inference(0.1, 0.3)),
    ({"name": "nrelu", "sigma": 0.1}, "F.relu(x) (N-ReLU's inference mode)", F.relu),
    ("silu", "F.silu(x)", F.silu),
    ("elu", "F.elu(x)", F.elu),
    ({"name": "elu", "alpha": 0.5}, "F.elu(x, 0.5)", lambda x: F.elu(x, 0.5)),
    ({"name": "elu", "alpha": 2.5}, "F.elu(x, 2.5)", lambda x: F.elu(x, 2.5)),
]


def case(spec, call, fn):
    x = torch.tensor(INPUTS, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return {"spec": spec, "pytorch": call, "y": y.tolist(), "dydx": x.grad.tolist()}


def main():
    out = {
        "generatedBy": "test/activations/pytorch-reference.py",
        "torch": torch.__version__.split("+")[0],
        "dtype": "float64",
        "x": INPUTS,
        "cases": [case(*c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
