def format_bytes(n: int) -> str:
    if n < 0:
        raise ValueError("negative size")
    units = ["KiB", "MiB", "GiB", "TiB"]
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    unit = 0
    while size >= 1024 and unit < len(units) - 1:
        size /= 1024
        unit += 1
    return f"{size:.1f} {units[unit]}"
