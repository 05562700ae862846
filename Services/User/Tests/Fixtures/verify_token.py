"""Verifies a Bazaar access token the way a service in another language would: fetch the
user service's JWKS over HTTP, pick the key named by the token's kid, check the ES256
signature, expiry, issuer and audience. Prints the claims as JSON; exits 1 when invalid.

Usage: verify_token.py JWKS_URL TOKEN ISSUER AUDIENCE
"""
import json
import sys

import jwt


def main() -> int:
    jwks_url, token, issuer, audience = sys.argv[1:5]
    try:
        key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["ES256"], issuer=issuer, audience=audience,
                            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})
    except jwt.PyJWTError as error:
        print(f"invalid: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    header = jwt.get_unverified_header(token)
    print(json.dumps({"header": header, "claims": claims}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
