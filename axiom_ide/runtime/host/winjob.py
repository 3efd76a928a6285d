"""Windows: a host process in a Job Object (ctypes, no pywin32). Imported on Windows only.

The job kills every process in it when its handle closes (``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE``:
the host's children die with the host, and with the runtime, whose handle dies with it), caps
each process's committed memory (``HostLimits.memory_mib``) and the number of live processes
(``HostLimits.processes``). Not tested here (no Windows machine): see README.md "Sandbox".
"""
from __future__ import annotations

import ctypes
from ctypes import wintypes
from typing import Any

from axiom_ide.runtime.host.sandbox import HostLimits

_KILL_ON_JOB_CLOSE = 0x2000
_PROCESS_MEMORY = 0x100
_ACTIVE_PROCESS = 0x8
_EXTENDED_LIMIT_INFORMATION = 9


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_ulonglong) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class _BasicLimits(ctypes.Structure):
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_longlong),
        ("PerJobUserTimeLimit", ctypes.c_longlong),
        ("LimitFlags", wintypes.DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", wintypes.DWORD),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", wintypes.DWORD),
        ("SchedulingClass", wintypes.DWORD),
    ]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", _BasicLimits),
        ("IoInfo", _IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


class Job:
    """One job object holding one host; :meth:`close` kills everything in it."""

    def __init__(self, handle: int):
        self._handle = handle

    def close(self) -> None:
        if self._handle:
            ctypes.windll.kernel32.CloseHandle(self._handle)  # type: ignore[attr-defined]
            self._handle = 0


def confine(popen: Any, limits: HostLimits) -> Job | None:
    """Put the process of ``popen`` (a subprocess.Popen) in a new job with ``limits``; None if
    Windows refuses (the host then runs without one)."""
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    handle = kernel32.CreateJobObjectW(None, None)
    if not handle:
        return None
    info = _ExtendedLimits()
    flags = _KILL_ON_JOB_CLOSE
    if limits.memory_mib:
        flags |= _PROCESS_MEMORY
        info.ProcessMemoryLimit = limits.memory_mib << 20
    if limits.processes:
        flags |= _ACTIVE_PROCESS
        info.BasicLimitInformation.ActiveProcessLimit = limits.processes
    info.BasicLimitInformation.LimitFlags = flags
    ok = kernel32.SetInformationJobObject(handle, _EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info))
    if ok:
        ok = kernel32.AssignProcessToJobObject(handle, wintypes.HANDLE(int(popen._handle)))
    if not ok:
        kernel32.CloseHandle(handle)
        return None
    return Job(handle)
