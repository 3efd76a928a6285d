"""A package in a real git repository with a bare ``origin``, for the registry's push tests.

``package_repo(tmp, "tester/calc")`` copies the example math package under a new name (and proto
package), commits it and pushes it to a bare repository beside it; ``archive(repo)`` is the
tar.gz of its HEAD, as ``axiom-ide push`` sends it.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MATH = REPO / "axiom_ide" / "resources" / "examples" / "workspace" / "packages" / "math"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"})
    return done.stdout.strip()


def package_repo(tmp: Path, name: str = "tester/calc", version: str = "0.1.0", *, push: bool = True) -> Path:
    repo = tmp / name.replace("/", "-")
    shutil.copytree(MATH, repo, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    manifest = (repo / "axiom.yaml").read_text()
    (repo / "axiom.yaml").write_text(manifest.replace("name: examples/math", f"name: {name}")
                                     .replace("version: 0.1.0", f"version: {version}"))
    proto = (repo / "messages" / "messages.proto").read_text()
    (repo / "messages" / "messages.proto").write_text(
        proto.replace("package examples.math;", f"package {name.replace('/', '.').replace('-', '_')};"))
    (repo / ".gitignore").write_text(".axiom/\n__pycache__/\n")  # as init writes it: gen/ is not ignored
    git(tmp, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "package")
    bare = tmp / f"{repo.name}-origin.git"
    git(tmp, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    if push:
        git(repo, "push", "-q", "origin", "main")
    return repo


def commit_all(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def archive(repo: Path) -> dict[str, str]:
    """The push body for the repository's HEAD."""
    data = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar.gz", "HEAD"], capture_output=True,
                          check=True).stdout
    return {"repository": str(repo), "commit": git(repo, "rev-parse", "HEAD"),
            "archive": base64.b64encode(data).decode()}


def published_and_pushed(server, root: Path, name: str = "tester/market", *, key: str | None = None) -> None:
    """On a live server: ``name``@0.1.0 pushed and published, ``name``@0.2.0 pushed only (private to
    the tenant of ``key``, the server's first key by default)."""
    with server.client(key, timeout=600) as client:
        for version in ("0.1.0", "0.2.0"):
            repo = package_repo(root / version, name, version)
            answer = client.post("/api/registry/packages", json=archive(repo))
            assert answer.status_code == 201, answer.text
        owner, _, short = name.partition("/")
        published = client.post(f"/api/registry/packages/{owner}/{short}/0.1.0/publish")
        assert published.status_code == 200, published.text
