"""The frozen app's entry point: ``axiom-ide`` (the CLI) plus the two hidden entries a frozen
executable needs to stand in for ``python``.

The runtime starts node hosts as ``<python> -m axiom_ide.runtime.host.worker ...`` and protoc as
``<python> -m grpc_tools.protoc ...``, with ``sys.executable`` as ``<python>``. In the bundle
``sys.executable`` is this program, so it accepts exactly those ``-m`` forms (and ``host ...`` as a
short name for the worker); the runtime's command lines stay the same frozen or not. Anything
else is the CLI.
"""
import runpy
import sys

_MODULES = {"axiom_ide.runtime.host.worker", "grpc_tools.protoc"}


def _main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["host"]:
        argv = ["-m", "axiom_ide.runtime.host.worker", *argv[1:]]
    if len(argv) >= 2 and argv[0] == "-m" and argv[1] in _MODULES:
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    from axiom_ide.cli.main import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
