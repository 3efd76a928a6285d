"""What a push (``axiom-ide push``, the IDE's Push package) needs from git: the package's repository,
its ``origin`` remote, the HEAD commit — refused when the tree has uncommitted changes or HEAD is not
on the remote — and the tar.gz of the package directory at that commit (``git archive``).

The docs' rule: "your current HEAD commit must be pushed to that remote. The platform builds your
package from the remote repository, not from your local working tree". ``origin`` may be a local
path or a ``file://`` URL (or any URL git reaches); whether HEAD is there is asked of the remote
itself (``git ls-remote``), not of possibly stale remote-tracking branches.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError

BUILDS_FROM_HEAD = "axiom-ide push builds your package from your git remote's HEAD commit, not your working tree"
GIT_TIMEOUT = 120.0
#: Package directories of generated files, left out of the uncommitted-changes check.
GENERATED = ("gen", ".axiom")


@dataclass(frozen=True)
class PushSource:
    top: Path
    #: The package directory relative to the repository's top ("" at the top).
    subdir: str
    remote_url: str
    commit: str


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise AxiomError.of("git_not_found", f"git is not on PATH: {BUILDS_FROM_HEAD}, so git is required")
    try:
        done = subprocess.run([git, "-C", str(cwd), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise AxiomError.of("git_timeout", f"git {' '.join(args)} did not finish within {GIT_TIMEOUT:g}s") from None
    if check and done.returncode != 0:
        raise AxiomError.of("git_failed", f"git {' '.join(args)} failed: {done.stderr.strip() or done.returncode}")
    return done


def push_source(package_root: Path) -> PushSource:
    """The repository, remote and commit to push ``package_root`` from; raises with the reason why
    not (not a repository, no origin, uncommitted changes, HEAD not pushed)."""
    root = package_root.resolve()
    top_run = _git(root, "rev-parse", "--show-toplevel", check=False)
    if top_run.returncode != 0:
        raise AxiomError.of("not_a_repository", f"{root} is not in a git repository: {BUILDS_FROM_HEAD}. "
                            "Run git init, commit, add a remote named origin and git push first")
    top = Path(top_run.stdout.strip()).resolve()
    subdir = root.relative_to(top).as_posix() if root != top else ""
    url_run = _git(root, "remote", "get-url", "origin", check=False)
    if url_run.returncode != 0:
        raise AxiomError.of("no_remote", f"the repository at {top} has no remote named origin: {BUILDS_FROM_HEAD}. "
                            "Add one (git remote add origin <url>) and git push")
    url = url_run.stdout.strip()
    head_run = _git(root, "rev-parse", "--verify", "HEAD", check=False)
    if head_run.returncode != 0:
        raise AxiomError.of("no_commit", f"the repository at {top} has no commit yet: {BUILDS_FROM_HEAD}. "
                            "Commit the package and git push first")
    commit = head_run.stdout.strip()
    # gen/ and .axiom/ are generated (the platform regenerates them), so they never make the tree dirty
    status = _git(root, "status", "--porcelain", "--", ".", *(f":(exclude){d}" for d in GENERATED))
    dirty = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if dirty:
        listed = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise AxiomError.of("uncommitted_changes", f"the package has uncommitted changes ({listed}): {BUILDS_FROM_HEAD}. "
                            "Commit them and git push first")
    remote_run = _git(root, "ls-remote", "origin", check=False)
    if remote_run.returncode != 0:
        raise AxiomError.of("remote_unreachable", f"cannot read the remote origin ({url}): "
                            f"{remote_run.stderr.strip() or 'git ls-remote failed'}")
    shas = {line.split()[0] for line in remote_run.stdout.splitlines() if line.strip()}
    if commit not in shas and not any(_contains(root, sha, commit) for sha in shas):
        raise AxiomError.of("head_not_pushed", f"HEAD {commit[:12]} is not pushed to origin ({url}): "
                            f"{BUILDS_FROM_HEAD}. Run git push first")
    return PushSource(top, subdir, url, commit)


def _contains(root: Path, tip: str, commit: str) -> bool:
    """``commit`` is an ancestor of the remote's ``tip`` (False when ``tip`` is not known here)."""
    return _git(root, "merge-base", "--is-ancestor", commit, tip, check=False).returncode == 0


def archive(source: PushSource) -> bytes:
    """The gzip'd tar of the package directory at the commit (paths relative to the package)."""
    git = shutil.which("git") or "git"
    treeish = f"{source.commit}:{source.subdir}" if source.subdir else source.commit
    try:
        done = subprocess.run([git, "-C", str(source.top), "archive", "--format=tar.gz", treeish],
                              capture_output=True, timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise AxiomError.of("git_timeout", f"git archive did not finish within {GIT_TIMEOUT:g}s") from None
    if done.returncode != 0:
        raise AxiomError.of("git_failed", f"git archive {treeish} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
