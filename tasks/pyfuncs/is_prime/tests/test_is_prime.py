from solution import is_prime


def test_small_primes():
    assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]


def test_squares_of_primes():
    assert not is_prime(9)
    assert not is_prime(49)


def test_negative_and_large():
    assert not is_prime(-7)
    assert is_prime(7919)
