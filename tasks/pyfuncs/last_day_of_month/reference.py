import calendar


def last_day_of_month(year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"bad month: {month}")
    return calendar.monthrange(year, month)[1]
