"""The hypothesis example database of the randomized profiles (``dev``, ``thorough``): where a run saves the
failures it found, and where every later run -- another xdist worker, another host, a developer's machine --
replays them before generating anything new.

Two environment variables choose it (CONTRIBUTING.md, "Fuzzing on many workers and hosts"):

- ``GRADPARITY_HYPOTHESIS_DB=DIR``: a directory database at DIR, read and written. Point every worker and host
  of a fuzzing campaign at the same DIR on shared storage: hypothesis keeps one file per example, named by a
  hash of the example, so workers that find the same failure write the same file and none rewrites another's.
  Unset: hypothesis's own default, ``.hypothesis/examples`` under the working directory.
- ``GRADPARITY_HYPOTHESIS_GITHUB=OWNER/REPO``: also read -- never write -- the ``hypothesis-example-db``
  artifact that the weekly ``thorough`` job of that repository uploads (hypothesis's GitHubArtifactDatabase,
  which sends ``GITHUB_TOKEN`` with each request: set it, public repository or not). A failure that job found
  then replays in a local ``dev`` or ``thorough`` run. Read-only, as hypothesis recommends: a local run on a
  branch must not delete the job's examples (hypothesis drops an example it can no longer reproduce).

The derandomized ``ci`` profile takes no database at all (hypothesis refuses one: ``derandomize=True implies
database=None``), see conftest.py.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

import hypothesis
from hypothesis import settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    GitHubArtifactDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

DIRECTORY_VAR = "GRADPARITY_HYPOTHESIS_DB"
GITHUB_VAR = "GRADPARITY_HYPOTHESIS_GITHUB"
# The artifact name GitHubArtifactDatabase reads by default; the weekly job in .github/workflows/ci.yml uploads
# the merged database of its workers under this name.
ARTIFACT_NAME = "hypothesis-example-db"
# actions/upload-artifact writes zips without directory entries; hypothesis indexed an artifact by its directory
# entries (and raised KeyError on such a zip) until 6.156.2, the first release that reads them.
GITHUB_ARTIFACT_MIN_HYPOTHESIS = (6, 156, 2)


def hypothesis_reads_upload_artifact_zips() -> bool:
    installed = tuple(int(part) for part in hypothesis.__version__.split(".")[:3] if part.isdigit())
    return installed >= GITHUB_ARTIFACT_MIN_HYPOTHESIS


def github_artifact_database(owner_repo: str, **kwargs) -> ExampleDatabase:
    """The weekly job's artifact, read-only. ``kwargs`` go to GitHubArtifactDatabase (e.g. ``path``, the cache
    folder for the downloaded zip)."""
    owner, sep, repo = owner_repo.partition("/")
    if not (owner and sep and repo) or "/" in repo:
        raise ValueError(f"{GITHUB_VAR} must be OWNER/REPO, got {owner_repo!r}")
    if not hypothesis_reads_upload_artifact_zips():
        raise RuntimeError(
            f"{GITHUB_VAR} needs hypothesis >= {'.'.join(map(str, GITHUB_ARTIFACT_MIN_HYPOTHESIS))} (installed: "
            f"{hypothesis.__version__}): older releases cannot read the zips actions/upload-artifact writes. "
            f"`pip install -U hypothesis`, or unset {GITHUB_VAR}.")
    return ReadOnlyDatabase(GitHubArtifactDatabase(owner, repo, artifact_name=ARTIFACT_NAME, **kwargs))


def example_database(environ: Mapping[str, str] = os.environ) -> ExampleDatabase:
    """The database the randomized profiles use, from ``environ`` (module docstring)."""
    directory = environ.get(DIRECTORY_VAR)
    local = (DirectoryBasedExampleDatabase(directory) if directory
             else settings.get_profile("default").database)  # hypothesis's own default: .hypothesis/examples
    owner_repo = environ.get(GITHUB_VAR)
    if not owner_repo:
        return local
    return MultiplexedDatabase(local, github_artifact_database(owner_repo))

