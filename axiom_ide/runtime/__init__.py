"""The embedded Axiom runtime. Pure Python, asyncio; never imports Qt (tests/test_architecture.py)."""
