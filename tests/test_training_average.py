"""Stochastic weight averaging in training: the mean of the snapshots, dtypes kept."""

from __future__ import annotations

import torch

from nlp.train import WeightAverage


def test_the_average_is_the_mean_of_the_snapshots():
    network = torch.nn.Linear(3, 2)
    network.register_buffer("steps", torch.tensor([4], dtype=torch.long))
    average = WeightAverage()
    for value in (1.0, 2.0, 6.0):
        with torch.no_grad():
            network.weight.fill_(value)
            network.bias.fill_(-value)
        average.add(network)
    state = average.state()
    assert average.count == 3
    assert torch.allclose(state["weight"], torch.full((2, 3), 3.0))
    assert torch.allclose(state["bias"], torch.full((2,), -3.0))
    assert state["weight"].dtype == torch.float32 and state["steps"].dtype == torch.long
    assert state["steps"].item() == 4
    network.load_state_dict(state)  # loads back into the network it came from
