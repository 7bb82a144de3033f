from urllib.parse import unquote_plus


def parse_query_string(qs: str) -> dict[str, list[str]]:
    if not qs:
        return {}
    result: dict[str, list[str]] = {}
    for pair in qs.split("&"):
        key, _, value = pair.partition("=")
        result.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return result
