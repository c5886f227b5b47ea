"""Rough cost of socialhub.security.vault: run ``python bench/vault_bench.py``.

Shows why the KEK is cached: scrypt is paid once per key id, per-value work is HKDF + AES-GCM.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

OPERATIONS = 20_000
TOKEN_BYTES = 200


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
    from socialhub.security.vault import Vault

    vault = Vault({"bench": "bench-secret-not-for-production"}, "bench")
    plaintext = os.urandom(TOKEN_BYTES // 2).hex()  # 200 ASCII characters, like an OAuth token
    aad = b"social_account:42"

    started = time.perf_counter()
    vault.encrypt(plaintext, aad=aad)  # first use derives the KEK with scrypt
    first_use = time.perf_counter() - started
    print(f"first use (scrypt KEK derivation + 1 encrypt): {first_use * 1e3:.1f} ms")

    started = time.perf_counter()
    tokens = [vault.encrypt(plaintext, aad=aad) for _ in range(OPERATIONS)]
    encrypt_total = time.perf_counter() - started

    started = time.perf_counter()
    for token in tokens:
        vault.decrypt(token, aad=aad)
    decrypt_total = time.perf_counter() - started

    print(f"token: {TOKEN_BYTES} bytes plaintext -> {len(tokens[0])} chars stored; {OPERATIONS:,} ops each")
    for name, total in (("encrypt", encrypt_total), ("decrypt", decrypt_total)):
        print(f"{name}: {total / OPERATIONS * 1e6:8.1f} us/op  {OPERATIONS / total:10,.0f} ops/s")


if __name__ == "__main__":
    main()
