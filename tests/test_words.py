"""Faker's words read without importing faker: the same list and the same seeded draws."""

from __future__ import annotations

import subprocess
import sys

import pytest
from faker import Faker

from fake_tasks.cluster.words import FakerWords, faker_words


def test_the_word_list_is_fakers() -> None:
    assert faker_words() == tuple(Faker().get_words_list())


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2**40 + 3])
def test_seeded_words_are_the_ones_faker_draws(seed: int) -> None:
    fake = Faker()
    fake.seed_instance(seed)
    ours = FakerWords(seed)
    assert [ours.word() for _ in range(20)] == [fake.word() for _ in range(20)]


def test_generating_a_cluster_never_imports_faker() -> None:
    code = (
        "import sys\n"
        "from fake_tasks.cluster.generate import generate_cluster\n"
        "generate_cluster(3, tasks=200)\n"
        "print('faker' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False"]
