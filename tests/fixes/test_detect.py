"""Which stack answered, from response headers: per target origin, with how sure the guess is."""

from __future__ import annotations

import pytest

from fixes.factory import exchange
from harcors.fixes import detect_stack, detect_stacks


def responses(url: str, *headers: dict[str, str]):
    return [exchange("GET", url, {"Origin": "https://app.test"}, h, index=i) for i, h in enumerate(headers)]


@pytest.mark.parametrize(
    ("headers", "stack", "confidence"),
    [
        ({"X-Powered-By": "Express"}, "express", "medium"),  # NestJS sends it too
        ({"X-Powered-By": "Next.js"}, "nextjs", "high"),
        ({"Server": "Kestrel"}, "aspnet", "high"),
        ({"Server": "uvicorn"}, "fastapi", "medium"),
        ({"Server": "Werkzeug/3.1.3 Python/3.11.7"}, "flask", "medium"),
        ({"Server": "WSGIServer/0.2 CPython/3.11.7"}, "django", "medium"),
        ({"Set-Cookie": "csrftoken=abc; Path=/"}, "django", "high"),
        ({"Set-Cookie": "laravel_session=abc; HttpOnly"}, "laravel", "high"),
        ({"X-Runtime": "0.012", "X-Permitted-Cross-Domain-Policies": "none"}, "rails", "high"),
        ({"x-vercel-id": "fra1::abc"}, "vercel", "high"),
        ({"x-nf-request-id": "01H"}, "netlify", "high"),
        ({"Server": "AmazonS3", "x-amz-request-id": "X"}, "s3", "high"),
        ({"apigw-requestid": "abc"}, "aws-api-gateway", "high"),
        ({"cf-ray": "8a-FRA", "Server": "cloudflare"}, "cloudflare-workers", "medium"),  # or proxied
        ({"Server": "nginx/1.22.1"}, "nginx", "medium"),
        ({"Server": "Apache/2.4.57 (Debian)"}, "apache", "medium"),
    ],
)
def test_signatures(headers: dict[str, str], stack: str, confidence: str) -> None:
    guess = detect_stack(responses("https://api.test/x", headers))
    assert (guess.stack, guess.confidence) == (stack, confidence)
    assert guess.evidence and all(":" in e for e in guess.evidence)


def test_the_framework_wins_over_the_platform_or_proxy_in_front() -> None:
    guess = detect_stack(responses("https://api.test/x", {"X-Powered-By": "Next.js", "x-vercel-id": "a"}))
    assert guess.stack == "nextjs" and "vercel" in guess.candidates
    behind_nginx = detect_stack(responses(
        "https://api.test/x", {"Server": "nginx", "X-Powered-By": "Express"}
    ))
    assert behind_nginx.stack == "express" and behind_nginx.candidates[-1] == "nginx"


def test_no_evidence_means_no_guess() -> None:
    guess = detect_stack(responses("https://api.test/x", {"Content-Type": "application/json"}))
    assert (guess.stack, guess.confidence, guess.candidates) == (None, "low", ())


def test_guess_per_target_origin() -> None:
    exchanges = [
        *responses("https://api.test/x", {"Server": "Kestrel"}),
        exchange("GET", "https://cdn.test/a.js", {}, {"Server": "AmazonS3"}, index=9),
    ]
    guesses = detect_stacks(exchanges)
    assert guesses["https://api.test"].stack == "aspnet"
    assert guesses["https://cdn.test"].stack == "s3"
    assert detect_stack(exchanges, "https://cdn.test").stack == "s3"
