from solution import primes_up_to


def test_up_to_thirty():
    assert primes_up_to(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_bound_is_inclusive():
    assert primes_up_to(13)[-1] == 13


def test_square_of_prime_excluded():
    assert 25 not in primes_up_to(25)
    assert 49 not in primes_up_to(50)


def test_small_n():
    assert primes_up_to(1) == []
    assert primes_up_to(2) == [2]
