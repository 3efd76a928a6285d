"""Clients and their SDKs (guides/build-a-client-sdk): :mod:`.model` (clients, members, versions,
builds), :mod:`.store` (SQLite), :mod:`.snapshot` (a version's frozen members and descriptors),
:mod:`.service` (what the CLI and the Console call), :mod:`.build` and the generators
(:mod:`.gen_python`, :mod:`.gen_typescript`, :mod:`.gen_others`)."""
