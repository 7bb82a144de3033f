from solution import count_islands


def test_two_islands():
    assert count_islands(["##..", "#...", "..##"]) == 2


def test_diagonal_is_separate():
    assert count_islands(["#.", ".#"]) == 2


def test_island_in_last_row():
    assert count_islands(["...", "..#"]) == 1


def test_empty():
    assert count_islands([]) == 0
