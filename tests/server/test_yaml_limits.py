"""Hostile YAML on ``POST /api/compile`` is a 400 naming the line and column, at once — the server
neither expands an alias bomb (it once took 198 s and 12.6 GiB) nor recurses into deep nesting."""
from __future__ import annotations

#: Billion laughs in 431 bytes: nine levels of nine aliases each.
BOMB = "name: bomb\njoin:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  {k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True))


def test_an_alias_bomb_and_deep_nesting_are_400s_with_their_position_and_the_server_keeps_serving(live):
    deep = "name: deep\njoin:\n  x: " + "[" * 10_000 + "]" * 10_000 + "\n"
    with live.client() as c:
        bomb = c.post("/api/compile", content=BOMB.encode(), headers={"Content-Type": "application/yaml"},
                      params={"filename": "flows/bomb.flow.yaml"})
        nested = c.post("/api/compile", json={"source": deep, "filename": "flows/deep.flow.yaml"})
        fine = c.post("/api/compile", json={"flow": "greeter"})
    assert (bomb.status_code, bomb.json()["error"], bomb.json()["message"]) == (
        400, "compile_failed", "flows/bomb.flow.yaml:3:6: error: YAML anchors are not supported (found &a)")
    assert bomb.json()["diagnostics"][0]["code"] == "yaml_alias"
    assert (nested.status_code, nested.json()["diagnostics"][0]["code"]) == (400, "yaml_depth")
    assert nested.json()["message"].startswith("flows/deep.flow.yaml:3:")
    assert nested.json()["message"].endswith(": error: YAML nested deeper than 64 levels")
    assert fine.status_code == 201, fine.text
