"""Gossip membership and the SWIM failure detector: the table's merge rules, then real node
processes killed and paused."""

from __future__ import annotations

import time

import pytest
import redis

from services.kv.launch import LocalCluster
from services.kv.membership import Membership


def table(m: Membership) -> dict[str, tuple[int, str]]:
    return {n: (x.incarnation, x.state) for n, x in m.members.items()}


def test_worse_state_wins_at_equal_incarnation_and_newer_incarnation_wins():
    a = Membership("a", "127.0.0.1", 1)
    b = Membership("b", "127.0.0.1", 2)
    a.add("b", "127.0.0.1", 2)
    a.add("c", "127.0.0.1", 3)
    a.set_state("c", "suspect")
    b.merge(a.encode())
    assert table(b)["c"] == (0, "suspect")
    c = Membership("c", "127.0.0.1", 3)
    c.merge(b.encode())  # c hears it is suspected: refutes with a higher incarnation
    assert table(c)["c"] == (1, "alive")
    a.merge(c.encode())
    assert table(a)["c"] == (1, "alive")
    b.merge(b"not json")  # gossip garbage is ignored
    b.merge(b'[["x", "h", "p", 0, "alive"], [1, 2]]')
    assert "x" not in b.members


def test_suspect_becomes_dead_after_the_timeout_and_a_restart_refutes_death():
    now = [0.0]
    changes: list[tuple[str, str | None, str]] = []
    a = Membership("a", "h", 1, suspect_timeout_s=3.0, clock=lambda: now[0])
    a.on_change = lambda n, o, s: changes.append((n, o, s))
    a.add("b", "h", 2)
    a.set_state("b", "suspect")
    now[0] = 2.9
    assert a.expire_suspects() == []
    now[0] = 3.0
    assert a.expire_suspects() == ["b"]
    assert a.unavailable() == {"b"}  # a suspect is still asked; the dead are skipped
    restarted = Membership("b", "h", 2)
    restarted.merge(a.encode())
    a.merge(restarted.encode())
    assert table(a)["b"] == (1, "alive")
    assert [c[2] for c in changes] == ["alive", "suspect", "dead", "alive"]


def _states(node) -> dict[str, str]:
    c = redis.Redis(port=node.port, socket_timeout=2, protocol=2)
    try:
        return {n.decode(): s.decode() for n, s in c.execute_command("KV.RING")}
    finally:
        c.close()


def _stats(node) -> dict[str, int]:
    c = redis.Redis(port=node.port, socket_timeout=2, protocol=2)
    try:
        flat = c.execute_command("KV.STATS")
    finally:
        c.close()
    return {k.decode(): int(v) for k, v in zip(flat[::2], flat[1::2], strict=True)}


@pytest.fixture
def four(tmp_path):
    cluster = LocalCluster.create(tmp_path, 4, extra=["--suspect-s", "4"])
    cluster.start()
    yield cluster
    cluster.stop()


def test_a_killed_node_is_suspected_then_dead_on_every_other_node(four, settings):
    victim = four.nodes[3]
    others = four.nodes[:3]
    victim.kill()
    started = time.monotonic()
    seen_dead: dict[str, float] = {}
    while len(seen_dead) < 3 and time.monotonic() - started < 15:
        for node in others:
            if node.name not in seen_dead and _states(node)[victim.name] == "dead":
                seen_dead[node.name] = time.monotonic() - started
        time.sleep(0.1)
    assert set(seen_dead) == {n.name for n in others}, seen_dead
    # period 0.2 s, probe 0.5 s + indirect 1 s, suspicion 4 s, then gossip: well within 10 s
    assert max(seen_dead.values()) < 10
    assert all(_states(n)[m.name] == "alive" for n in others for m in others)
    from click.testing import CliRunner

    from pipelines.cli import main

    seed = f"127.0.0.1:{others[0].port}"
    shown = CliRunner().invoke(main, ["kv", "ring", "--seed", seed])
    assert shown.exit_code == 0, shown.output
    rows = {line.split()[0]: line for line in shown.output.splitlines() if "ranges=" in line}
    assert set(rows) == {"n1", "n2", "n3", "n4"}
    assert "state=dead" in rows[victim.name]
    assert all("state=alive" in rows[n.name] for n in others)
    four.restart(victim)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if all(_states(n)[victim.name] == "alive" for n in others):
            break
        time.sleep(0.1)
    assert all(_states(n)[victim.name] == "alive" for n in others)


def test_a_short_pause_is_suspected_then_alive_without_a_dead_verdict(four):
    victim = four.nodes[1]
    others = [four.nodes[0], four.nodes[2], four.nodes[3]]
    victim.pause()
    suspected = False
    try:
        deadline = time.monotonic() + 2.0  # a probe, then indirect probes: ~1-1.6 s
        while time.monotonic() < deadline:
            suspected |= any(_states(n)[victim.name] == "suspect" for n in others)
            time.sleep(0.05)
    finally:
        victim.resume()
    assert suspected
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(_states(n)[victim.name] == "alive" for n in others):
            break
        time.sleep(0.1)
    assert all(_states(n)[victim.name] == "alive" for n in others)
    assert all(_stats(n).get("members_marked_dead", 0) == 0 for n in four.nodes)
    assert sum(_stats(n).get("members_suspected", 0) for n in others) >= 1


def test_bad_gossip_and_membership_commands_get_errors_and_change_nothing(four):
    c = redis.Redis(port=four.nodes[0].port, socket_timeout=5, protocol=2)
    before = c.execute_command("KV.MEMBERS")
    with pytest.raises(redis.ResponseError, match="wrong arguments"):
        c.execute_command("KV.G.JOIN", "x", "127.0.0.1", "not-a-port")
    with pytest.raises(redis.ResponseError):
        c.execute_command("KV.LEAVE", "now")
    assert c.execute_command("KV.G.PING", b"\xff garbage") is not None  # ignored, table back
    assert c.execute_command("KV.G.PINGREQ", "nobody") == 0
    assert c.execute_command("KV.MEMBERS") == before
    assert c.ping()
