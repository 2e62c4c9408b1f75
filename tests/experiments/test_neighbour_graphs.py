"""``catuvac neighbours`` mines one graph per data the stored runs trained on, and the
selection then reads each run's neighbour agreement from it."""

import math

from catuvac.cli import main
from catuvac.records.store.neighbour_graphs import graph_of, result_neighbour_agreement
from catuvac.records.store.results import load_results


def test_neighbours_mines_each_datas_graph_once_and_the_runs_read_it(
    tmp_path, monkeypatch, offline_data, capsys
):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    for name in ("results", "runs", "cache"):
        monkeypatch.setenv(f"CATUVAC_{name.upper()}", str(tmp_path / name))
    reproduce = ["reproduce", "--profile", "smoke", "--datasets", "fsdd", "--methods"]
    assert main([*reproduce, "catuvac", "kmeans", "--seeds", "0", "1", "--epochs", "1"]) == 0
    assert main(["neighbours", "--profile", "smoke"]) == 0
    trained = [r for r in load_results(tmp_path / "results") if r.method == "catuvac"]
    graphs = {graph_of(r) for r in trained}
    assert len(trained) == 2 and len(graphs) == 1 and all(g.is_file() for g in graphs)
    assert f"wrote {next(iter(graphs))}" in capsys.readouterr().out
    assert all(not math.isnan(result_neighbour_agreement(r)) for r in trained)
    stored = next(iter(graphs)).read_bytes()
    assert main(["neighbours", "--profile", "smoke"]) == 0  # kept, not mined again
    assert "exists (--overwrite mines it again)" in capsys.readouterr().out
    assert next(iter(graphs)).read_bytes() == stored
