"""The suite's own scheduling (tests/conftest.py): under xdist the tests marked long head the workers' first
shares, longest first and a module's together; without workers the order is left alone."""

from types import SimpleNamespace

import pytest

from tests.conftest import pytest_collection_modifyitems


def item(nodeid, seconds=None):
    mark = pytest.mark.long(seconds).mark if seconds is not None else None
    return SimpleNamespace(nodeid=nodeid, get_closest_marker=lambda name: mark if name == "long" else None)


def collection():
    short = [item(f"tests/a/test_{i:02}.py::test") for i in range(12)]
    long = [item("tests/m/test_migrate.py::test", 70), item("tests/f/test_fuzz.py::test_1", 50),
            item("tests/f/test_fuzz.py::test_2", 50), item("tests/c/test_load.py::test", 100)]
    return short[:5] + long[:2] + short[5:] + long[2:]


def test_long_tests_head_the_workers_first_shares():
    items = collection()
    pytest_collection_modifyitems(SimpleNamespace(workerinput={"workercount": 3}), items)
    ids = [i.nodeid for i in items]
    assert sorted(ids) == sorted(i.nodeid for i in collection())  # nothing lost or repeated
    shares = [ids[0:5], ids[5:10], ids[10:16]]  # xdist's first split of 16 tests over 3 workers: 5, 5, 6
    assert shares[0][:2] == ["tests/f/test_fuzz.py::test_1", "tests/f/test_fuzz.py::test_2"]  # 100 s, together
    assert shares[1][0] == "tests/c/test_load.py::test"
    assert shares[2][0] == "tests/m/test_migrate.py::test"
    others = [i for i in ids if "/a/" in i]
    assert others == sorted(others)  # the rest keep their order


def test_without_workers_the_order_is_left_alone():
    items = collection()
    pytest_collection_modifyitems(SimpleNamespace(), items)
    assert [i.nodeid for i in items] == [i.nodeid for i in collection()]
