from datetime import date, timedelta


def add_business_days(iso_date: str, n: int) -> str:
    day = date.fromisoformat(iso_date)
    added = 0
    while added < n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day.isoformat()
