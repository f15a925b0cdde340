"""The shared hypothesis example database (reference/example_database.py): a failure one fuzzing worker finds is
replayed first by any other worker that shares the database -- another process with its own random seed and
settings built afresh -- through a shared directory, and through the artifact the weekly `thorough` job uploads.

Each worker is a subprocess running a tiny self-contained property (not impl: these tests run for every
target). The workers draw their own random seeds, as fuzzing workers do: hypothesis ignores the database of a
seeded test (``@seed`` and ``--hypothesis-seed`` set ``database=None``). Nothing asserted depends on the seed:
the property fails often (finding and shrinking its failure took a worker 16 to 121 calls in eight runs
here, of 1000 allowed), every failure shrinks to the same minimal example, and a run without a saved failure
always starts from the simplest example, the empty list.
"""
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import hypothesis
import pytest
from hypothesis import settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    GitHubArtifactDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

from reference import example_database as exdb

ROOT = Path(__file__).resolve().parent.parent

# One fuzzing worker. The property fails exactly when the list sums to 1000 or more; hypothesis shrinks every
# failure to [1000]. The worker reports the first example it tried and the failing one it ended on.
WORKER = '''
import json, sys
from hypothesis import given, settings, strategies as st
from hypothesis.database import MultiplexedDatabase
from reference.example_database import example_database, github_artifact_database

tried = []

@given(st.lists(st.integers(0, 1000)))
def sum_stays_below_1000(xs):
    tried.append(xs)
    assert sum(xs) < 1000

report, artifact_cache = sys.argv[1], sys.argv[2:]
db = example_database()  # GRADPARITY_HYPOTHESIS_DB, as the dev and thorough profiles read it
if artifact_cache:  # the weekly job's artifact, already downloaded into this cache folder
    db = MultiplexedDatabase(db, github_artifact_database("owner/repo", path=artifact_cache[0]))
# derandomize=False explicitly: on a CI machine hypothesis's default profile is derandomized, without database.
test = settings(database=db, max_examples=1000, deadline=None, derandomize=False)(sum_stays_below_1000)
try:
    test()
    failing = None
except AssertionError:
    failing = tried[-1]  # hypothesis ends by rerunning the shrunk failing example
with open(report, "w") as f:
    json.dump({"first": tried[0], "failing": failing, "calls": len(tried)}, f)
'''
SHRUNK_FAILURE = [1000]


def run_worker(tmp: Path, name: str, db_dir: Path, artifact_cache: Path | None = None) -> dict:
    """One worker in its own process, its database directory from the environment as in a real run."""
    script = tmp / "worker.py"
    if not script.exists():
        script.write_text(WORKER)
    report = tmp / f"{name}.json"
    cwd = tmp / f"cwd_{name}"  # its own working directory: nothing shared but db_dir (not hypothesis's default)
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADPARITY_HYPOTHESIS", "HYPOTHESIS_"))}
    env[exdb.DIRECTORY_VAR] = str(db_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = [sys.executable, str(script), str(report)] + ([str(artifact_cache)] if artifact_cache else [])
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"worker {name} crashed:\n{done.stdout}\n{done.stderr}"
    return json.loads(report.read_text())


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    """Worker A fuzzes from an empty shared directory and saves the failure it finds there."""
    tmp = tmp_path_factory.mktemp("shared_db")
    shared = tmp / "campaign_db"
    result = run_worker(tmp, "a", db_dir=shared)
    # The weekly job adds a note on the campaign at the top of the database: readers must not mind it.
    shared.mkdir(exist_ok=True)
    (shared / "campaign-worker-1.txt").write_text("commit 0000000, run 1, worker 1\n")
    return tmp, shared, result


def test_worker_saves_its_failure_in_the_shared_directory(found):
    tmp, shared, a = found
    assert a["failing"] == SHRUNK_FAILURE, a
    assert a["first"] == [], f"worker A must find the failure by fuzzing, not start from it: {a}"
    saved = [p for p in shared.rglob("*") if p.is_file() and p.parent != shared]
    assert saved, f"worker A wrote nothing into {shared}"


def test_another_worker_replays_it_first_from_the_shared_directory(found):
    tmp, shared, a = found
    b = run_worker(tmp, "b", db_dir=shared)
    assert b["first"] == SHRUNK_FAILURE, f"worker B did not start from the saved failure: {b}"
    assert b["failing"] == SHRUNK_FAILURE, b
    # Worker A, the same program with an empty database, started from [] and needed more calls: the replay
    # came from the directory.
    assert b["calls"] < a["calls"], (a, b)


def _as_upload_artifact_zip(db_dir: Path, cache: Path) -> Path:
    """The database as the weekly job's artifact, already downloaded: actions/upload-artifact zips the folder's
    files (no directory entries); GitHubArtifactDatabase caches a download as <UTC time>.zip and uses it for a
    day without asking GitHub."""
    cache.mkdir()
    artifact = cache / (datetime.now(timezone.utc).isoformat().replace(":", "_") + ".zip")
    with zipfile.ZipFile(artifact, "w") as zf:
        for path in sorted(p for p in db_dir.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(db_dir).as_posix())
    return cache


_READS_ARTIFACTS = exdb.hypothesis_reads_upload_artifact_zips()


@pytest.mark.skipif(not _READS_ARTIFACTS, reason=f"hypothesis {hypothesis.__version__} cannot read upload-artifact "
                    f"zips (needs >= 6.156.2); the guard is tested below")
def test_a_local_run_replays_it_first_from_the_weekly_artifact(found):
    tmp, shared, _ = found
    cache = _as_upload_artifact_zip(shared, tmp / "artifact_cache")
    local = run_worker(tmp, "local", db_dir=tmp / "local_empty", artifact_cache=cache)
    assert local["first"] == SHRUNK_FAILURE, f"the local run did not start from the artifact's failure: {local}"
    assert local["failing"] == SHRUNK_FAILURE, local


def test_environment_chooses_the_database(tmp_path):
    assert exdb.example_database({exdb.DIRECTORY_VAR: str(tmp_path)}) == DirectoryBasedExampleDatabase(tmp_path)
    assert exdb.example_database({}) == settings.get_profile("default").database  # hypothesis's default folder
    with pytest.raises(ValueError, match="OWNER/REPO"):
        exdb.example_database({exdb.GITHUB_VAR: "owner"})
    both = {exdb.DIRECTORY_VAR: str(tmp_path), exdb.GITHUB_VAR: "owner/repo"}
    if not _READS_ARTIFACTS:
        with pytest.raises(RuntimeError, match="needs hypothesis >= 6.156.2"):
            exdb.example_database(both)
        return
    assert exdb.example_database(both) == MultiplexedDatabase(
        DirectoryBasedExampleDatabase(tmp_path),
        ReadOnlyDatabase(GitHubArtifactDatabase("owner", "repo", artifact_name=exdb.ARTIFACT_NAME)))


def test_profiles_use_it_except_the_derandomized_ci_profile():
    """conftest.py: dev and thorough read and write the database of this run's environment; ci has none."""
    here = exdb.example_database()
    for name in ("dev", "thorough"):
        profile = settings.get_profile(name)
        assert profile.database == here, (name, profile.database, here)
        assert not profile.derandomize, name
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None
