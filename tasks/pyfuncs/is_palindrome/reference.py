def is_palindrome(text: str) -> bool:
    cleaned = [c.lower() for c in text if c.isalnum()]
    for i in range(len(cleaned) // 2):
        if cleaned[i] != cleaned[-1 - i]:
            return False
    return True
