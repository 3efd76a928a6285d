"""The platform registry behind ``axiom-ide serve``: tenant-private pushes, immutable public publishes
of packages and compiled flows (:mod:`.store`), the build a push goes through (:mod:`.pipeline`), the
archive it arrives as (:mod:`.archive`) and the ``.axiom/`` build artifacts (:mod:`.image`)."""
