"""Rendering on a Dask cluster gives the same site as rendering here."""

from __future__ import annotations

from pathlib import Path

import pytest
from distributed import LocalCluster

from conftest import NOW, run_folio, tree
from fixture_site import write_fixture_site


@pytest.mark.slow
def test_a_dask_cluster_builds_the_same_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_fixture_site(site, 40)
    local = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1",
                      "--output", tmp_path / "local", "--quiet")
    assert local.code == 0, local.err
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        remote = run_folio("build", "--site", site, "--now", NOW, "--clean", "--quiet",
                           "--dask", cluster.scheduler_address, "--output", tmp_path / "dask")
    assert remote.code == 0, remote.err
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_clear_usage_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_fixture_site(site, 20)
    result = run_folio("build", "--site", site, "--dask", "tcp://127.0.0.1:9")
    assert result.code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.err
