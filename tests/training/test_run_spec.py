"""The declared run configuration: both commands take every run option under one name and
default, and every stored result's configuration reads back as the run it names."""

import argparse
from dataclasses import asdict

import pytest

from catuvac.cli import build_parser
from catuvac.errors import ConfigError
from catuvac.records.store.results import load_results
from catuvac.training.options import GROUPS
from catuvac.training.run_spec import RunSpec, beyond_paper, run_options


def _options(command: str) -> dict[str, argparse.Action]:
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {a.dest: a for a in commands.choices[command]._actions}


def test_train_and_reproduce_take_every_run_option_with_one_name_and_default():
    train, reproduce = _options("train"), _options("reproduce")
    for option in run_options():
        one, many = train[option.name], reproduce[option.name]
        assert one.option_strings == many.option_strings, option.name
        assert one.default == option.default, option.name
        expected = [option.default] if option.metadata["sweep"] else option.default
        assert many.default == expected, option.name
        assert option.metadata["group"] in GROUPS


def test_every_stored_result_reads_back_as_the_run_its_file_names():
    results = load_results()
    assert results
    for result in results:
        spec = result.run_spec
        stored = asdict(spec)
        # Runs that stored no lambda trained at the default of their day: the ELBO's own
        # weight (named in neither file nor spec, the default again today) or the former
        # rule's 1000 (named in the file, and in the spec rebuilt from the record).
        declared = dict(result.spec)
        if declared.get("lambda_weight") is None and spec.lambda_weight is not None:
            declared["lambda_weight"] = result.lambda_setting[0]
        assert {k: stored[k] for k in declared} == declared, result.path
        assert spec.name == result.path.stem, result.path
        assert spec.weight == (result.lambda_setting or (spec.weight,))[0], result.path
        assert RunSpec.from_stored(stored) == spec


def test_an_option_away_from_its_default_is_named_and_listed_beyond_the_paper():
    spec = RunSpec("fsdd", "catuvac", 10, 0, "long", latent_dim=16, epochs=5)
    assert spec.name.endswith("-latent16-epochs5-seed0")
    assert spec.beyond_paper() == {"latent_dim": 16, "epochs": 5}
    # A qualifier counts only with the option it qualifies; a VAE option not on K-means.
    assert beyond_paper({"method": "catuvac", "self_label_threshold": 0.8}) == {}
    assert RunSpec("fsdd", "kmeans", 10, 0, "long", latent_dim=16).name == "kmeans-seed0"


def test_uvac_refuses_the_temperature_options_it_does_not_have():
    for options in ({"tau_end": 0.1}, {"tau_shape": "linear"}):
        with pytest.raises(ConfigError, match="UVAC has no Gumbel-Softmax temperature"):
            RunSpec("fsdd", "uvac", 10, 0, "cpu", **options)
