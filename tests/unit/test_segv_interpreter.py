"""The interpreter's own memory safety under the pattern that crashed the whole organisation's dashboard at 1M
(SIGSEGV «Garbage-collecting», 27.11.2026; see the README's notes): CPython 3.11 may start a garbage collection
inside the allocation of an instance's __dict__ that it is building from the instance's inline values; a weakref
callback run by that collection (SQLAlchemy's `InstanceState._cleanup` when a loaded object dies) that adds an
attribute to the same instance frees those values under the outer call — a use-after-free and double free that
corrupts the heap and crashes later, anywhere. From Python 3.12 on, collections run only at the interpreter's safe
points, never inside an allocation. Pure Python, no extension module: run in a child process (it may crash)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import gc, sys, weakref

    class Target: pass
    class Held: pass
    class Cycle: pass

    filler = Target()
    for i in range(30):  # the type's shared keys full: a new attribute name materialises an instance's dict
        setattr(filler, f"a{i}", i)

    for n in range(50):
        target = Target()
        target.a0 = 0  # inline values
        held = Held()
        ref = weakref.ref(held, lambda _r, target=target, n=n: setattr(target, f"inner_{n}", 1))
        gc.collect()  # target, held and ref old: only the cycle below is young
        cycle = Cycle()
        cycle.self, cycle.held = cycle, held  # held dies when the collection clears the cycle
        del held, cycle
        gc.disable()
        keep = [{} for _ in range(200)]  # the dicts' free list emptied: the next dict is a GC allocation
        gc.set_threshold(1)
        gc.enable()
        target.outer = 2  # materialise target's dict -> allocation -> collection -> callback -> setattr(target)
        gc.set_threshold(700)
        gc.collect()  # 3.12+: the collection ran at the next safe point instead
        assert ref() is None
        if sorted(vars(target)) != ["a0", f"inner_{n}", "outer"]:
            sys.exit(f"round {n}: the instance's dict lost an attribute: {vars(target)}")
        del keep
    print("survived")
""")


@pytest.mark.xfail(sys.version_info < (3, 12), strict=True,
                   reason="CPython 3.11 collects inside allocations: a dict being materialised is freed under it")
def test_a_collection_inside_an_instance_dicts_materialisation_leaves_the_heap_intact():
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCRIPT],  # noqa: S603
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "survived", (result.returncode, result.stderr[-2000:])
