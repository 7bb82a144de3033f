from datetime import date


def day_of_year(iso_date: str) -> int:
    return date.fromisoformat(iso_date).timetuple().tm_yday
